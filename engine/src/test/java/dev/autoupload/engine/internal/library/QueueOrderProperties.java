package dev.autoupload.engine.internal.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.autoupload.engine.internal.upload.FileUpload;
import dev.autoupload.engine.internal.upload.UploadSettings;
import dev.autoupload.engine.library.Asset;
import dev.autoupload.engine.library.CreationDateSource;
import dev.autoupload.engine.library.MediaKind;
import dev.autoupload.engine.library.RemoteLayout;
import dev.autoupload.engine.upload.NameRules;
import dev.autoupload.engine.upload.RemoteFile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The queue order, one upload at a time: the first scan's files go up by the rule, and files the
 * watch finds later jump ahead of what is left of that backlog, also by the rule.
 */
class QueueOrderProperties {

  private static final Instant EPOCH = Instant.parse("2020-01-01T00:00:00Z");

  /** A file as the property draws it: when it was taken, and whether it is a video. */
  record Drawn(int takenDay, boolean video) {}

  @Provide
  Arbitrary<List<Drawn>> files() {
    return Combinators.combine(Arbitraries.integers().between(0, 2000), Arbitraries.of(true, false))
        .as(Drawn::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(25);
  }

  @Property(tries = 300)
  void theBacklogGoesUpByTheRuleAndLaterFilesJumpAheadOfWhatIsLeft(
      @ForAll("files") List<Drawn> backlog,
      @ForAll("files") @Size(max = 10) List<Drawn> later,
      @ForAll @IntRange(min = 0, max = 25) int uploadedBeforeTheLaterOnesCome,
      @ForAll QueueOrder.By by,
      @ForAll boolean photosFirst) {
    QueueOrder order = new QueueOrder(by, photosFirst);
    UploadSettings settings =
        new UploadSettings(1, 1024, 8192, 3, Duration.ofSeconds(1), Duration.ofMinutes(1), 0).withQueueOrder(order);
    LibraryPlan plan = LibraryPlan.start(new LibraryPlan.Settings("lib", settings, RemoteLayout.MIRROR, NameRules.POSIX));
    Ledger[] ledger = {Ledger.empty()};
    List<Asset> first = assets(backlog, 0);
    List<Asset> second = assets(later, first.size());
    List<Asset> uploaded = new ArrayList<>();

    List<LibraryPlan.Decision> decisions = new ArrayList<>();
    LibraryPlan.Step step = plan.found(context(ledger[0]), first);
    step = merge(step, step.plan().scanEnded(context(ledger[0])));
    plan = step.plan();
    decisions.addAll(step.decisions());
    int toUpload = Math.min(uploadedBeforeTheLaterOnesCome, first.size());
    while (uploaded.size() < toUpload) {
      plan = finishNext(plan, decisions, uploaded, ledger);
    }
    LibraryPlan.Step found = plan.found(context(ledger[0]), second);
    plan = found.plan();
    decisions.addAll(found.decisions());
    while (plan.hasWork()) {
      plan = finishNext(plan, decisions, uploaded, ledger);
    }

    Comparator<Asset> rule = rule(order);
    List<Asset> expected = new ArrayList<>(first);
    expected.sort(rule);
    // The one upload running when the later files come finishes first: none is interrupted.
    int before = Math.min(toUpload + 1, first.size());
    List<Asset> left = new ArrayList<>(expected.subList(before, expected.size()));
    List<Asset> jumping = new ArrayList<>(second);
    jumping.sort(rule);
    List<Asset> all = new ArrayList<>(expected.subList(0, before));
    all.addAll(jumping);
    all.addAll(left);
    assertThat(uploaded).extracting(Asset::relativePath).containsExactlyElementsOf(all.stream().map(Asset::relativePath).toList());
  }

  /** The order the rule gives: photos first when asked, then by date as asked, then as found. */
  private static Comparator<Asset> rule(QueueOrder order) {
    Comparator<Asset> kind = Comparator.comparingInt(a -> order.photosFirst() && MediaKind.of(a) == MediaKind.VIDEO ? 1 : 0);
    Comparator<Asset> date =
        switch (order.by()) {
          case NEWEST_FIRST -> Comparator.comparing(Asset::createdAt).reversed();
          case OLDEST_FIRST -> Comparator.comparing(Asset::createdAt);
          case FOUND -> (a, b) -> 0;
        };
    return kind.thenComparing(date).thenComparing(a -> Integer.parseInt(a.relativePath().substring(1, 6)));
  }

  /** Files of sizes all different, so none is read before its upload: the order shows as it is. */
  private static List<Asset> assets(List<Drawn> drawn, int firstIndex) {
    List<Asset> assets = new ArrayList<>();
    for (int i = 0; i < drawn.size(); i++) {
      int index = firstIndex + i;
      String path = "f%05d.%s".formatted(index, drawn.get(i).video() ? "mov" : "jpg");
      Instant taken = EPOCH.plus(Duration.ofDays(drawn.get(i).takenDay()));
      assets.add(
          new Asset(
              "id-" + index, "lib", path, 1000 + index, taken, CreationDateSource.EXIF, taken, Optional.of("s"),
              Optional.empty()));
    }
    return assets;
  }

  /** Finishes the one running upload and carries out what follows; returns the new plan. */
  private static LibraryPlan finishNext(
      LibraryPlan plan, List<LibraryPlan.Decision> decisions, List<Asset> uploaded, Ledger[] ledger) {
    LibraryPlan.Upload running =
        decisions.stream()
            .filter(LibraryPlan.Upload.class::isInstance)
            .map(LibraryPlan.Upload.class::cast)
            .filter(upload -> uploaded.stream().noneMatch(done -> done.id().equals(upload.asset().id())))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no upload running, yet work is left"));
    uploaded.add(running.asset());
    String sha = String.format("%064x", uploaded.size());
    LibraryPlan.Step step =
        plan.finished(
            context(ledger[0]),
            running.asset().id(),
            new FileUpload.Uploaded(
                new RemoteFile(running.remotePath(), running.asset().size(), sha), Instant.now(), false));
    for (LibraryPlan.Decision decision : step.decisions()) {
      if (decision instanceof LibraryPlan.Record record) {
        ledger[0] = ledger[0].with(record.backedUp());
      }
    }
    decisions.addAll(step.decisions());
    return step.plan();
  }

  private static LibraryPlan.Step merge(LibraryPlan.Step first, LibraryPlan.Step then) {
    List<LibraryPlan.Decision> all = new ArrayList<>(first.decisions());
    all.addAll(then.decisions());
    return new LibraryPlan.Step(then.plan(), all);
  }

  private static LibraryPlan.Context context(Ledger ledger) {
    return new LibraryPlan.Context(ledger, 1, Instant.now(), 0.5);
  }
}
