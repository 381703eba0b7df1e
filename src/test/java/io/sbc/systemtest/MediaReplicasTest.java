package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.systemtest.SealedDialogTest.Received;
import io.sbc.systemtest.SealedDialogTest.Ua;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two SBC processes of one gateway anchoring media on two real RTPengines, configured differently:
 * replica A lists e1 first (e2 a spare of weight 0), replica B the other way round, so each would
 * choose its own first instance. The INVITE goes through A, the BYE through B: the call's instance
 * is sealed in the dialog's Record-Route, so B deletes it on e1, and e2 never holds it.
 */
class MediaReplicasTest extends SystemTestBase {
  static final String SERVICE = "127.0.0.10";
  static final String REPLICA_A = "127.0.0.11";
  static final String REPLICA_B = "127.0.0.12";

  private ManagedProcess replica(String name, String address, int port, String first, String second, int calleePort)
      throws Exception {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: media
        spec:
          listeners:
            - {name: udp, protocol: SIP-UDP, address: %s, port: %d, advertisedAddress: %s}
          sealing: {secret: "a secret the two media replicas share"}
          topologyHiding: {enabled: true, callId: true}
          media:
            mode: External
            instances: [{address: "%s", weight: 1}, {address: "%s", weight: 0}]
            anchoring: {ice: Remove}
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-callee
        spec:
          parentRefs: [{name: media}]
          rules:
            - allowRelay: true
              backendRefs: [{uri: "sip:%s:%d"}]
        """
            .formatted(address, port, SERVICE, first, second, MediaTest.CALLEE, calleePort);
    return track(SbcProcess.start(workDir, name, yaml, address, port));
  }

  @Test
  void aByeThroughTheOtherReplicaDeletesTheCallOnItsInstance() throws Exception {
    RtpEngine e1 = track(RtpEngine.start(workDir, "rtpengine-1", MediaTest.MEDIA));
    RtpEngine e2 = track(RtpEngine.start(workDir, "rtpengine-2", MediaTest.MEDIA));
    int port = EdgeTest.freeUdpPort(REPLICA_A);
    int calleePort = EdgeTest.freeUdpPort(MediaTest.CALLEE);
    ManagedProcess a = replica("replica-a", REPLICA_A, port, e1.ng(), e2.ng(), calleePort);
    ManagedProcess b = replica("replica-b", REPLICA_B, port, e2.ng(), e1.ng(), calleePort);
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_sdp.xml"))
                .localIp(MediaTest.CALLEE)
                .port(calleePort)
                .calls(1)
                .traceMessages(true),
            "callee");
    try (Ua caller = new Ua(MediaTest.CALLER)) {
      String callId = "media-replicas-" + System.nanoTime() + "@" + MediaTest.CALLER;
      String from = "<sip:alice@" + MediaTest.CALLER + ":" + caller.port() + ">;tag=alice1";
      String contact = "<sip:alice@" + MediaTest.CALLER + ":" + caller.port() + ">";
      String via =
          "Via: SIP/2.0/UDP " + MediaTest.CALLER + ":" + caller.port() + ";rport;branch=z9hG4bK";
      String sdp =
          "v=0\r\no=alice 1 1 IN IP4 "
              + MediaTest.CALLER
              + "\r\ns=-\r\nc=IN IP4 "
              + MediaTest.CALLER
              + "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
      caller.send(
          REPLICA_A,
          port,
          "INVITE sip:bob@"
              + SERVICE
              + " SIP/2.0\r\n"
              + via
              + "inv1\r\nMax-Forwards: 70\r\nFrom: "
              + from
              + "\r\nTo: <sip:bob@"
              + SERVICE
              + ">\r\nCall-ID: "
              + callId
              + "\r\nCSeq: 1 INVITE\r\nContact: "
              + contact
              + "\r\nContent-Type: application/sdp\r\nContent-Length: "
              + sdp.length()
              + "\r\n\r\n"
              + sdp);
      Received ok = caller.await("200");
      assertTrue(ok.text().contains("c=IN IP4 " + MediaTest.MEDIA), ok.text());
      assertTrue(e1.sessions().contains(callId), "replica A chose e1: " + e1.sessions());
      assertFalse(e2.sessions().contains(callId));
      String route = ok.header("Record-Route");
      String target = ok.header("Contact").replaceAll("^<|>.*$", "");
      String dialog =
          "From: " + from + "\r\nTo: " + ok.header("To") + "\r\nCall-ID: " + callId + "\r\n";
      caller.send(
          REPLICA_A,
          port,
          "ACK " + target + " SIP/2.0\r\n" + via + "ack1\r\nRoute: " + route
              + "\r\nMax-Forwards: 70\r\n" + dialog + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
      caller.send(
          REPLICA_B,
          port,
          "BYE " + target + " SIP/2.0\r\n" + via + "bye1\r\nRoute: " + route
              + "\r\nMax-Forwards: 70\r\n" + dialog + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
      Received byeOk = caller.await("200");
      assertTrue(byeOk.text().contains("CSeq: 2 BYE"), byeOk.text());
      assertEquals(List.of(), e1.awaitEmpty(Duration.ofSeconds(5)), "e1 still holds the call");
      assertFalse(e2.sessions().contains(callId), "e2 never held it");
      Sipp.Result callee = uas.result(uas.awaitExit(Duration.ofSeconds(15)));
      assertTrue(callee.allSucceeded(1), "the callee's whole scenario: " + callee);
    }
    for (ManagedProcess p : List.of(a, b)) {
      assertFalse(p.logText().contains(BLOCKED_THREAD), p.name() + " blocked a loop");
    }
  }
}
