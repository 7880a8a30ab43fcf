package dev.promgate.policy;

import static dev.promgate.policy.PolicyFiles.SHOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.promgate.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload against real files and a real Vert.x timer; waits poll the store's state. */
@ExtendWith(VertxExtension.class)
class PolicyStoreTest {

  private static final Duration FAST = Duration.ofMillis(25);

  @TempDir
  Path dir;

  private PolicyStore store;
  private final List<PolicyStore.ReloadEvent> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private PolicyLoadResult start(Vertx vertx, Path directory) throws Exception {
    store = new PolicyStore(vertx, directory, FAST);
    store.onReload(events::add);
    return Await.result(store.start());
  }

  private long generation() {
    return store.current().orElseThrow().generation();
  }

  private void awaitGeneration(long generation) {
    Await.until("generation " + generation + " is in force",
        () -> store.current().map(PolicySet::generation).orElse(0L) == generation);
  }

  private void awaitFurtherChecks(int n) {
    long target = store.completedChecks() + n;
    Await.until(n + " more checks ran", () -> store.completedChecks() >= target);
  }

  @Test
  void validChangeBadChangeAndRestore(Vertx vertx) throws Exception {
    PolicyFiles files = PolicyFiles.standard(dir);
    PolicyLoadResult first = start(vertx, dir);
    assertInstanceOf(PolicyLoadResult.Loaded.class, first);
    assertEquals(1, generation());

    files.write("shop.yaml", SHOP.replace("mode: audit", "mode: enforce"));
    awaitGeneration(2);
    assertTrue(store.current().orElseThrow().policies().get(0).rulesFor("dev").orElseThrow().mode()
        .orElseThrow() == Mode.ENFORCE);

    files.write("shop.yaml", SHOP.replace("maxAge: 720h", "maxAge: 30d"));
    Await.until("the bad edit is reported", () -> !store.lastProblems().isEmpty());
    assertEquals(List.of(new PolicyProblem(dir.resolve("shop.yaml").toString(), 23, 69,
            "maxAge: duration \"30d\" has the unknown unit \"d\"; days are not a unit, write 720h"
                + " (use h, m, s, ms, us or ns)")),
        store.lastProblems());
    assertEquals(2, generation(), "the last good set stays in force");

    awaitFurtherChecks(5);
    assertEquals(3, events.size());
    assertEquals(1, events.stream().filter(e -> e instanceof PolicyStore.ReloadEvent.Rejected).count(),
        "an unchanged bad file is reported once, not at every check");

    files.write("shop.yaml", SHOP);
    awaitGeneration(3);
    assertEquals(List.of(), store.lastProblems());

    files.write("keys/ci.pub", PolicyFiles.publicPem(PolicyFiles.ecKeyPair()));
    awaitGeneration(4);

    Await.until("listeners heard of every check", () -> events.size() == 5);
    assertEquals(List.of("applied 1", "applied 2", "rejected 2", "applied 3", "applied 4"),
        events.stream().map(PolicyStoreTest::describe).toList());
  }

  private static String describe(PolicyStore.ReloadEvent event) {
    if (event instanceof PolicyStore.ReloadEvent.Applied applied) {
      return "applied " + applied.current().generation();
    }
    PolicyStore.ReloadEvent.Rejected rejected = (PolicyStore.ReloadEvent.Rejected) event;
    return "rejected " + rejected.kept().map(PolicySet::generation).orElse(0L);
  }

  @Test
  void seesAConfigMapSymlinkSwapThatKeepsModificationTimes(Vertx vertx) throws Exception {
    // The layout kubelet writes: versioned directories, a ..data link, and links to ..data/<key>.
    Path v1 = Files.createDirectory(dir.resolve("..2026_11_26_09_00_00.1"));
    PolicyFiles.standard(v1);
    Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    for (String name : List.of("gate.yaml", "shop.yaml", "keys")) {
      Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
    }
    start(vertx, dir);
    assertEquals(1, generation());

    Path v2 = Files.createDirectory(dir.resolve("..2026_11_26_10_00_00.2"));
    PolicyFiles.standard(v2).write("shop.yaml", SHOP.replace("mode: audit", "mode: enforce"));
    Files.copy(v1.resolve("keys/ci.pub"), v2.resolve("keys/ci.pub"), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(v1.resolve("keys/release-managers.pub"), v2.resolve("keys/release-managers.pub"),
        StandardCopyOption.REPLACE_EXISTING);
    FileTime old = Files.getLastModifiedTime(v1.resolve("shop.yaml"));
    Files.setLastModifiedTime(v2.resolve("shop.yaml"), old);
    Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);

    awaitGeneration(2);
    assertEquals(Mode.ENFORCE, store.current().orElseThrow().policies().get(0).rulesFor("dev").orElseThrow()
        .mode().orElseThrow());
  }

  @Test
  void aDirectoryThatVanishesOrEmptiesKeepsTheLastGoodSet(Vertx vertx) throws Exception {
    Path policies = dir.resolve("policies");
    PolicyFiles.standard(policies);
    start(vertx, policies);

    Path aside = dir.resolve("aside");
    Files.move(policies, aside);
    Await.until("the missing directory is reported", () -> !store.lastProblems().isEmpty());
    assertEquals(List.of(new PolicyProblem(policies.toString(), 1, 1, "the policy directory does not exist")),
        store.lastProblems());
    assertEquals(1, generation());

    Files.createDirectory(policies);
    Await.until("the empty directory is reported", () -> store.lastProblems().stream()
        .anyMatch(p -> p.message().startsWith("no policy files")));
    assertEquals(1, generation());

    Files.delete(policies);
    Files.move(aside, policies);
    awaitGeneration(2);
    assertEquals(List.of(), store.lastProblems());
    assertEquals(store.current().orElseThrow().policies().get(0).environments().get("prod").fingerprint(),
        ((PolicyLoadResult.Loaded) PolicyLoader.load(policies)).policies().policies().get(0)
            .environments().get("prod").fingerprint(),
        "the same files give the same fingerprints, so cached verdicts stay valid");
  }

  @Test
  void startsWithoutAPolicySetAndPicksUpTheFix(Vertx vertx) throws Exception {
    PolicyFiles files = PolicyFiles.withKeys(dir).write("shop.yaml", SHOP.replace("[ci]", "[cj]"));
    PolicyLoadResult first = start(vertx, dir);
    PolicyLoadResult.Failed failed = assertInstanceOf(PolicyLoadResult.Failed.class, first);
    assertEquals(failed.problems(), store.lastProblems());
    assertTrue(store.current().isEmpty());

    files.write("shop.yaml", SHOP);
    awaitGeneration(1);
    Await.until("listeners heard of both checks", () -> events.size() == 2);
    assertEquals(List.of("rejected 0", "applied 1"), events.stream().map(PolicyStoreTest::describe).toList());
  }

  @Test
  void reloadNowLoadsEvenWithoutChanges(Vertx vertx) throws Exception {
    PolicyFiles.standard(dir);
    start(vertx, dir);
    java.util.Optional<PolicyLoadResult> result;
    do { // empty while a timer check happens to be running
      result = Await.result(store.reloadNow());
    } while (result.isEmpty());
    assertInstanceOf(PolicyLoadResult.Loaded.class, result.get());
    assertEquals(2, generation(), "applied before the future completes");
  }
}
