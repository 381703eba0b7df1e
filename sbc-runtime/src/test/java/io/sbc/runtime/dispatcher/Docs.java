package io.sbc.runtime.dispatcher;

import io.sbc.api.SipDispatcher;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.proxy.Target;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builders the dispatcher tests share: documents, requests, and selections as URI lists. */
final class Docs {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  private Docs() {}

  /** A dispatcher document; each destination is "uri" or "uri weight priority". */
  static SipDispatcher doc(String name, String algorithm, String... destinations) {
    SipDispatcher d = new SipDispatcher();
    d.kind = SipDispatcher.KIND;
    d.metadata.name = name;
    d.spec.algorithm = algorithm;
    for (String s : destinations) {
      String[] f = s.split(" ");
      SipDispatcher.Destination dest = new SipDispatcher.Destination();
      dest.uri = f[0];
      if (f.length > 1) {
        dest.weight = Integer.parseInt(f[1]);
      }
      if (f.length > 2) {
        dest.priority = Integer.parseInt(f[2]);
      }
      d.spec.destinations.add(dest);
    }
    return d;
  }

  static SipMessage invite(String callId, String fromUser, String ruriUser) {
    String s =
        "INVITE sip:"
            + ruriUser
            + "@sbc.example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK"
            + callId.hashCode()
            + "\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:"
            + fromUser
            + "@example.com>;tag=f1\r\n"
            + "To: <sip:"
            + ruriUser
            + "@example.com>\r\n"
            + "Call-ID: "
            + callId
            + "\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Length: 0\r\n\r\n";
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return DECODER.decode(b, b.length, false);
  }

  /** An OPTIONS outside a dialog: not a call. */
  static SipMessage options(String callId) {
    String s =
        "OPTIONS sip:bob@sbc.example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKo"
            + callId.hashCode()
            + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=f1\r\n"
            + "To: <sip:bob@example.com>\r\nCall-ID: "
            + callId
            + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    return DECODER.decode(b, b.length, false);
  }

  static SipMessage invite(String callId) {
    return invite(callId, "alice", "bob");
  }

  /** The URIs a selection chose, in order. */
  static List<String> uris(List<Target> targets) {
    List<String> out = new ArrayList<>();
    for (Target t : targets) {
      out.add(t.uri());
    }
    return out;
  }
}
