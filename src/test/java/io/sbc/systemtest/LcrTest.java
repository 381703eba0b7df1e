package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Least-cost routing by number prefix: rules matching the Request-URI user send each number to
 * its carrier, each with its own dialplan rewrite (RewriteUser) of the Request-URI user.
 */
class LcrTest extends SystemTestBase {
  static final String US_NUMBER = "+15551234567";
  static final String UK_NUMBER = "+442071234567";
  /** +1 (carrier A): strip the "+", add the international prefix 00. */
  static final String US_REWRITTEN = "0015551234567";
  /** +44 (carrier B): replace the country code by the national trunk prefix 0. */
  static final String UK_REWRITTEN = "02071234567";

  /** Prefix +1 -> carrier A (strip 1, add 00); prefix +44 -> carrier B (replace). */
  static String rules(int carrierA, int carrierB) {
    return """
        - name: us-carrier
          matches:
            - requestUri:
                user:
                  type: Prefix
                  value: "+1"
          filters:
            - type: RewriteUser
              rewriteUser:
                stripPrefix: 1
                addPrefix: "00"
          backendRefs:
            - uri: sip:127.0.0.1:%d
        - name: uk-carrier
          matches:
            - requestUri:
                user:
                  type: Prefix
                  value: "+44"
          filters:
            - type: RewriteUser
              rewriteUser:
                replace:
                  pattern: '\\+44([0-9]+)'
                  substitution: '0$1'
          backendRefs:
            - uri: sip:127.0.0.1:%d
        """.formatted(carrierA, carrierB);
  }

  /** A UAS scenario that fails any call whose request line does not match this regex. */
  private Path carrierScenario(String name, String requestLineRegex) throws IOException {
    String template = Files.readString(Sipp.scenario("uas_check_ruri.xml"));
    Path f = workDir.resolve(name + ".xml");
    Files.writeString(f, template.replace("@REQUEST_LINE_REGEX@", requestLineRegex));
    return f;
  }

  /**
   * 20 calls to +15551234567 and 20 to +442071234567: carrier A receives exactly the first 20,
   * as sip:0015551234567@..., carrier B exactly the other 20, as sip:02071234567@...; each
   * carrier's scenario fails any call whose Request-URI is not its rewritten number.
   */
  @Test
  void numbersGoToTheirCarrierWithRewrites() throws Exception {
    SbcSupport.assumeSbc("Routing by Request-URI user with RewriteUser");
    int calls = 20;
    int pa = backendPort(0);
    int pb = backendPort(1);
    Sipp.Instance carrierA = startUas(Sipp.uas(carrierScenario("carrier_a",
        "^INVITE sip:" + US_REWRITTEN + "@")).port(pa).calls(calls), "carrier-a");
    Sipp.Instance carrierB = startUas(Sipp.uas(carrierScenario("carrier_b",
        "^INVITE sip:" + UK_REWRITTEN + "@")).port(pb).calls(calls), "carrier-b");
    startProxy(SbcConfig.udp(proxyPort()).rules(rules(pa, pb)));

    Sipp.Instance us = track(caller(US_NUMBER, calls).start(workDir, "uac-us"));
    Sipp.Instance uk = track(caller(UK_NUMBER, calls).start(workDir, "uac-uk"));
    Sipp.Result usResult = us.awaitResult(Duration.ofSeconds(40));
    Sipp.Result ukResult = uk.awaitResult(Duration.ofSeconds(40));
    assertTrue(usResult.allSucceeded(calls), "calls to " + US_NUMBER + ": " + usResult + context());
    assertTrue(ukResult.allSucceeded(calls), "calls to " + UK_NUMBER + ": " + ukResult + context());

    Sipp.Result a = carrierA.awaitResult(Duration.ofSeconds(15));
    Sipp.Result b = carrierB.awaitResult(Duration.ofSeconds(15));
    assertTrue(a.allSucceeded(calls),
        "carrier A should have accepted " + calls + " calls, every one to " + US_REWRITTEN + ": "
            + a + context());
    assertTrue(b.allSucceeded(calls),
        "carrier B should have accepted " + calls + " calls, every one to " + UK_REWRITTEN + ": "
            + b + context());
    assertOnlyUser(carrierA, US_REWRITTEN, calls);
    assertOnlyUser(carrierB, UK_REWRITTEN, calls);
  }

  /** A number no rule matches (+33...) for a domain the gateway serves is answered 404 locally. */
  @Test
  void numberWithoutCarrierIsAnswered404() throws Exception {
    SbcSupport.assumeSbc("Routing by Request-URI user");
    int calls = 10;
    int pa = backendPort(0);
    int pb = backendPort(1);
    UdpTrap carrierA = track(new UdpTrap(pa));
    UdpTrap carrierB = track(new UdpTrap(pb));
    startProxy(SbcConfig.udp(proxyPort()).rules(rules(pa, pb)));
    Sipp.Result fr = runUac(
        Sipp.uac(Sipp.scenario("uac_404.xml"), proxy.address()).port(uacPort()).calls(calls)
            .rate(10).limit(calls).args("-s", "+33123456789").timeout(Duration.ofSeconds(30)),
        "uac-fr", Duration.ofSeconds(40));
    assertTrue(fr.allSucceeded(calls), "every call to +33... should get 404: " + fr + context());
    assertEquals(List.of(), carrierA.calls(), "carrier A must not see +33 calls" + context());
    assertEquals(List.of(), carrierB.calls(), "carrier B must not see +33 calls" + context());
  }

  private Sipp caller(String number, int calls) {
    return Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address()).port(uacPort())
        .calls(calls).rate(20).limit(calls).args("-s", number, "-d", "100")
        .timeout(Duration.ofSeconds(30));
  }

  private static void assertOnlyUser(Sipp.Instance carrier, String user, int calls) {
    Map<String, SippMessages.Message> invites = SippMessages.receivedInvites(carrier.dir());
    List<String> wrong = invites.values().stream().map(SippMessages.Message::requestUri)
        .filter(u -> !u.startsWith("sip:" + user + "@")).distinct().toList();
    assertEquals(List.of(), wrong,
        carrier.name() + " received Request-URIs other than sip:" + user + "@...");
    assertEquals(calls, invites.size(), carrier.name() + " call count (" + carrier.dir() + ")");
  }
}
