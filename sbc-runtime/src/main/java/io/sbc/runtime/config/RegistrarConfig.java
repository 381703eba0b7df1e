package io.sbc.runtime.config;

import io.sbc.api.SipGateway;
import io.sbc.api.SipRoute;
import io.sbc.runtime.auth.AuthenticationStage;
import io.sbc.runtime.registrar.RegistrarSettings;
import io.sbc.runtime.registrar.Subscriber;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code spec.registrar} compiled: the registrar's settings and the subscribers, whose password
 * files are read and hashed here (off the event loops) and never kept.
 *
 * @param settings what the registrar, lookups and authentication follow
 * @param subscribers who may authenticate, with HA1 hashes only
 * @param passwordFiles the password files read, watched for changes like the sealing secrets
 */
public record RegistrarConfig(
    RegistrarSettings settings, List<Subscriber> subscribers, List<String> passwordFiles) {

  /** The registrar of a gateway, or null when it has none; problems go to {@code errors}. */
  static RegistrarConfig of(
      String source, SipGateway.Spec spec, List<SipRoute> routes, List<String> errors) {
    SipGateway.Registrar r = spec.registrar;
    if (r == null) {
      for (SipRoute route : routes) {
        for (int i = 0; i < route.spec.rules.size(); i++) {
          SipRoute.Rule rule = route.spec.rules.get(i);
          if (rule.registrar != null || rule.authentication != null) {
            errors.add(
                source
                    + ": SipRoute/"
                    + route.metadata.name
                    + ": spec.rules["
                    + i
                    + "]."
                    + (rule.registrar != null ? "registrar" : "authentication")
                    + ": the gateway has no spec.registrar");
          }
        }
      }
      return null;
    }
    List<String> domains = new ArrayList<>();
    for (String d : r.domains.isEmpty() ? spec.domains : r.domains) {
      domains.add(d.toLowerCase(Locale.ROOT));
    }
    Map<String, String> aliases = new LinkedHashMap<>();
    for (SipGateway.Alias a : r.aliases) {
      int at = a.aor.indexOf('@'); // validated: sip:user@domain
      aliases.put(
          a.user, a.aor.substring(0, at + 1) + a.aor.substring(at + 1).toLowerCase(Locale.ROOT));
    }
    RegistrarSettings settings =
        new RegistrarSettings(
            domains,
            r.minExpires,
            r.maxExpires,
            r.defaultExpires,
            r.maxContactsPerAor,
            "ReplaceOldest".equals(r.whenFull),
            r.maxBindings,
            "parallel".equals(r.forking),
            r.nonceLifetimeSeconds,
            r.maxAuthFailures,
            r.authFailureBlockSeconds,
            aliases,
            r.digestAlgorithms);
    List<Subscriber> subscribers = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (int i = 0; i < r.subscribers.size(); i++) {
      SipGateway.Subscriber s = r.subscribers.get(i);
      String realm = s.domain != null ? s.domain.toLowerCase(Locale.ROOT) : domains.get(0);
      if (s.passwordFile != null) {
        files.add(s.passwordFile);
        String password;
        try {
          password = Files.readString(Path.of(s.passwordFile), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
          errors.add(
              source
                  + ": spec.registrar.subscribers["
                  + i
                  + "].passwordFile: cannot read "
                  + s.passwordFile
                  + " ("
                  + e.getClass().getSimpleName()
                  + ")");
          continue;
        }
        password = password.strip();
        if (password.isEmpty()) {
          errors.add(
              source
                  + ": spec.registrar.subscribers["
                  + i
                  + "].passwordFile: "
                  + s.passwordFile
                  + " is empty");
          continue;
        }
        subscribers.add(
            new Subscriber(
                s.username,
                realm,
                AuthenticationStage.ha1(s.username, realm, password, false),
                AuthenticationStage.ha1(s.username, realm, password, true)));
      } else {
        subscribers.add(
            new Subscriber(
                s.username,
                realm,
                s.ha1 == null ? null : s.ha1.toLowerCase(Locale.ROOT),
                s.ha1Sha256 == null ? null : s.ha1Sha256.toLowerCase(Locale.ROOT)));
      }
    }
    return new RegistrarConfig(settings, List.copyOf(subscribers), List.copyOf(files));
  }

  @Override
  public String toString() {
    return "RegistrarConfig[" + settings.domains() + ", " + subscribers.size() + " subscribers]";
  }
}
