{{/* The release's full name, at most 63 characters (a DNS label). */}}
{{- define "sbc-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sbc-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "sbc-operator.labels" -}}
{{ include "sbc-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: sbc
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "sbc-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sbc-operator.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "sbc-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* SBC_OPERATOR_RUNTIME_IMAGE: sbcImage is "repo:tag" as a string, or {repository, tag}. */}}
{{- define "sbc-operator.sbcImage" -}}
{{- if kindIs "string" .Values.sbcImage -}}
{{- required "sbcImage must not be empty" .Values.sbcImage -}}
{{- else -}}
{{- printf "%s:%s" (required "sbcImage.repository is required" .Values.sbcImage.repository) (default .Chart.AppVersion .Values.sbcImage.tag) -}}
{{- end -}}
{{- end -}}

{{/*
The rules the operator needs in every namespace it watches. One list, used by
the ClusterRole (all namespaces) and by each Role (listed namespaces).
*/}}
{{- define "sbc-operator.namespacedRules" -}}
# Its own resources, their status and finalizers (owner references with
# blockOwnerDeletion need update on the owner's finalizers).
- apiGroups: ["sbc.io"]
  resources: ["sipgateways", "siproutes", "sipdispatchers"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["sbc.io"]
  resources: ["sipgateways/status", "siproutes/status", "sipdispatchers/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: ["sbc.io"]
  resources: ["sipgateways/finalizers", "siproutes/finalizers", "sipdispatchers/finalizers"]
  verbs: ["update"]
# What it creates for each SipGateway.
- apiGroups: [""]
  resources: ["configmaps", "services", "serviceaccounts"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# The Role and RoleBinding of the SBC pods (they read their ConfigMap). RBAC
# lets the operator grant only what it holds itself.
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["roles", "rolebindings"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
# What it reads: Service backends of SipDispatchers.
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["get", "list", "watch"]
# The SBC pods (its label only): which are ready, and their IPs, to ask each
# runtime's management API which configuration it runs (Programmed waits).
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
# Each SipGateway's sealing Secret (<gateway>-sealing): read by name and
# created once, never listed, watched, updated or deleted (the garbage
# collector deletes it with its gateway). The SBC pods need no access: the
# kubelet mounts it.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]
# Events about the resources it reconciles.
- apiGroups: ["", "events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- with .Values.rbac.extraRules }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Cluster-scoped resources: a ClusterRole whatever watchNamespaces says. */}}
{{- define "sbc-operator.clusterRules" -}}
# Nodes and their addresses (cluster-scoped).
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["get", "list", "watch"]
{{- if .Values.rbac.readCrds }}
# The Operator SDK's start-up check that its CRDs are installed.
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get", "list"]
{{- end }}
{{- end -}}
