/**
 * The code that talks to the API server: reconcilers, dependent resources, informers and their
 * mappers. Desired state comes from {@code io.sbc.operator.model}; nothing here decides what an
 * object looks like.
 */
package io.sbc.operator.reconciler;
