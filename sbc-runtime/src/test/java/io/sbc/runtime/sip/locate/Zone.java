package io.sbc.runtime.sip.locate;

import io.sbc.runtime.sip.transport.Loop;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An in-memory DNS zone for the resolver's unit tests: records by name and type, each set with its
 * TTL; questions are recorded, and answered at once or held until the test releases them (a name
 * server that takes its time). Real name servers are exercised with dnsmasq (NettyDnsClientTest and
 * the system tests).
 */
public final class Zone implements DnsClient {
  /** A question; "example.test." and "example.test" are the same name, as in DNS. */
  private record Question(String name, RecordType type) {
    Question {
      name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
  }

  private final Map<Question, DnsAnswer> answers = new HashMap<>();
  private final List<String> asked = new ArrayList<>();
  private final List<Runnable> held = new ArrayList<>();
  private boolean holding;

  /** Answers are held until {@link #release()} (else given at once). */
  public Zone hold() {
    holding = true;
    return this;
  }

  public Zone naptr(String name, long ttl, NaptrRecord... records) {
    return set(name, RecordType.NAPTR, ttl, List.of((Object[]) records));
  }

  public Zone srv(String name, long ttl, SrvRecord... records) {
    return set(name, RecordType.SRV, ttl, List.of((Object[]) records));
  }

  public Zone a(String name, long ttl, String... addresses) {
    List<Object> l = new ArrayList<>();
    for (String a : addresses) {
      l.add(address(a));
    }
    return set(name, a(addresses) ? RecordType.A : RecordType.AAAA, ttl, l);
  }

  /** The name server does not answer this question (a timeout). */
  public Zone silent(String name, RecordType type) {
    answers.put(new Question(name, type), DnsAnswer.none("no answer from the name servers", true));
    return this;
  }

  private static boolean a(String[] addresses) {
    return addresses.length == 0 || !addresses[0].contains(":");
  }

  private Zone set(String name, RecordType type, long ttl, List<Object> records) {
    answers.put(new Question(name, type), new DnsAnswer(records, ttl, null, false));
    return this;
  }

  @Override
  public void ask(String name, RecordType type, Loop loop, Consumer<DnsAnswer> answer) {
    asked.add(type + " " + name);
    DnsAnswer a =
        answers.getOrDefault(new Question(name, type), DnsAnswer.none("no such records", false));
    if (holding) {
      held.add(() -> answer.accept(a));
    } else {
      answer.accept(a);
    }
  }

  /** Answers every held question (and those they lead to, when not holding). */
  public int release() {
    int n = 0;
    while (!held.isEmpty()) {
      List<Runnable> now = new ArrayList<>(held);
      held.clear();
      now.forEach(Runnable::run);
      n += now.size();
    }
    return n;
  }

  /** Answers the questions held now only (one round). */
  public int releaseOnce() {
    List<Runnable> now = new ArrayList<>(held);
    held.clear();
    now.forEach(Runnable::run);
    return now.size();
  }

  /** The questions asked so far ("A sip1.example.test."), and forgets them. */
  public List<String> asked() {
    List<String> r = List.copyOf(asked);
    asked.clear();
    return r;
  }

  public int heldCount() {
    return held.size();
  }

  static InetAddress address(String s) {
    try {
      return InetAddress.getByAddress(io.sbc.api.syntax.IpLiteral.toBytes(s));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(s, e);
    }
  }
}
