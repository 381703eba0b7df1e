package io.sbc.runtime.persistence;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.sbc.runtime.registrar.CredentialStore;
import io.sbc.runtime.registrar.StoreAnswer;
import io.sbc.runtime.sip.transport.Loop;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Locale;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The subscribers of the management API ({@code subscriber} table) as the registrar's credentials:
 * a lookup by realm (the domain) and username, answered on the asking loop once PostgreSQL has
 * answered; the proxy stage waits paused meanwhile, never a thread.
 */
public final class PgCredentialStore implements CredentialStore {
  private final Vertx vertx;
  private final Mutiny.SessionFactory sessions;

  public PgCredentialStore(Vertx vertx, Mutiny.SessionFactory sessions) {
    this.vertx = vertx;
    this.sessions = sessions;
  }

  @Override
  public void find(
      String username,
      String realm,
      Loop loop,
      StoreAnswer<io.sbc.runtime.registrar.Subscriber> answer) {
    Context c = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(c, true);
    c.runOnContext(
        v ->
            Uni.createFrom()
                .deferred(
                    () ->
                        sessions.withStatelessSession(
                            s ->
                                s.get(
                                    Subscriber.class,
                                    new Subscriber.Key(realm.toLowerCase(Locale.ROOT), username))))
                .subscribe()
                .with(
                    row ->
                        answerOn(
                            loop,
                            answer,
                            row == null
                                ? null
                                : new io.sbc.runtime.registrar.Subscriber(
                                    row.username, realm, row.ha1Md5, row.ha1Sha256),
                            null),
                    f -> answerOn(loop, answer, null, f)));
  }

  private static <T> void answerOn(Loop loop, StoreAnswer<T> answer, T result, Throwable failure) {
    if (loop == null) {
      answer.answered(result, failure);
    } else {
      loop.execute(() -> answer.answered(result, failure));
    }
  }
}
