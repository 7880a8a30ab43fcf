package dev.promgate.workload;

import dev.promgate.admission.AdmissionCall;
import dev.promgate.admission.AdmissionReviews;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Finds the images of a workload object. The kind is taken from the request, not from the object,
 * because the API server names it there authoritatively; the object is converted to the matching
 * fabric8 type (CronJob {@code batch/v1beta1} has the same shape as {@code batch/v1}).
 */
public final class WorkloadImages {

  /** What a request's object holds. */
  public sealed interface Extraction permits NotAWorkload, Images, Malformed {}

  /** A kind that runs no containers (a Role, a ConfigMap…): allowed and logged. */
  public record NotAWorkload(String kind) implements Extraction {}

  /** The images to judge; on UPDATE only the new ones, with how many were unchanged. */
  public record Images(List<ContainerImage> images, int unchanged) implements Extraction {}

  /** A workload object promgate cannot read; denied with this reason. */
  public record Malformed(String reason) implements Extraction {}

  private record Shape(String specPath, Function<Object, Optional<PodSpec>> podSpec) {}

  private WorkloadImages() {}

  /** The images a request asks to run that promgate must judge. */
  public static Extraction of(AdmissionCall call) {
    Shape shape = shapeOf(call.group(), call.kind());
    if (shape == null) {
      return new NotAWorkload(call.qualifiedKind());
    }
    if (call.object().isEmpty()) {
      return new Malformed("the request has no object of kind " + call.qualifiedKind());
    }
    List<ContainerImage> now;
    try {
      now = imagesOf(call, call.object().get(), shape);
    } catch (RuntimeException e) {
      return new Malformed("request.object is not a valid " + call.qualifiedKind() + ": "
          + firstLine(e.getMessage()));
    }
    if (now == null) {
      return new Malformed("request.object of kind " + call.qualifiedKind() + " has no pod spec at "
          + (shape.specPath().isEmpty() ? "spec" : shape.specPath()));
    }
    if (!"UPDATE".equals(call.operation()) || call.oldObject().isEmpty()) {
      return new Images(now, 0);
    }
    Set<String> before = new HashSet<>();
    try {
      List<ContainerImage> old = imagesOf(call, call.oldObject().get(), shape);
      if (old != null) {
        old.forEach(c -> before.add(c.image()));
      }
    } catch (RuntimeException e) {
      // An unreadable oldObject cannot vouch for anything: judge every image as new.
    }
    List<ContainerImage> added = new ArrayList<>();
    for (ContainerImage c : now) {
      if (!before.contains(c.image())) {
        added.add(c);
      }
    }
    return new Images(added, now.size() - added.size());
  }

  /** Whether promgate reads pod specs from this kind (used for the webhook rules too). */
  public static boolean isWorkload(String group, String kind) {
    return shapeOf(group, kind) != null;
  }

  private static List<ContainerImage> imagesOf(AdmissionCall call, Object object, Shape shape) {
    Optional<PodSpec> spec = shape.podSpec().apply(object);
    if (spec.isEmpty()) {
      return null;
    }
    String base = shape.specPath();
    PodSpec s = spec.get();
    List<ContainerImage> images = new ArrayList<>();
    addContainers(images, base + "initContainers", s.getInitContainers());
    addContainers(images, base + "containers", s.getContainers());
    List<EphemeralContainer> ephemeral = s.getEphemeralContainers();
    if (ephemeral != null) {
      for (int i = 0; i < ephemeral.size(); i++) {
        EphemeralContainer c = ephemeral.get(i);
        images.add(new ContainerImage(nameOf(c.getName()), base + "ephemeralContainers[" + i + "].image",
            c.getImage() == null ? "" : c.getImage()));
      }
    }
    return images;
  }

  private static void addContainers(List<ContainerImage> images, String path, List<Container> containers) {
    if (containers == null) {
      return;
    }
    for (int i = 0; i < containers.size(); i++) {
      Container c = containers.get(i);
      images.add(new ContainerImage(nameOf(c.getName()), path + "[" + i + "].image",
          c.getImage() == null ? "" : c.getImage()));
    }
  }

  private static String nameOf(String name) {
    return name == null || name.isEmpty() ? "(unnamed)" : name;
  }

  private static Shape shapeOf(String group, String kind) {
    return switch (group + "/" + kind) {
      case "/Pod" -> new Shape("spec.", o -> Optional.ofNullable(as(o, Pod.class).getSpec()));
      case "/PodTemplate" -> new Shape("template.spec.", o -> template(as(o, PodTemplate.class).getTemplate()));
      case "/ReplicationController" -> new Shape("spec.template.spec.", o -> {
        var spec = as(o, ReplicationController.class).getSpec();
        return spec == null ? Optional.empty() : template(spec.getTemplate());
      });
      case "apps/Deployment" -> new Shape("spec.template.spec.", o -> {
        var spec = as(o, Deployment.class).getSpec();
        return spec == null ? Optional.empty() : template(spec.getTemplate());
      });
      case "apps/ReplicaSet" -> new Shape("spec.template.spec.", o -> {
        var spec = as(o, ReplicaSet.class).getSpec();
        return spec == null ? Optional.empty() : template(spec.getTemplate());
      });
      case "apps/StatefulSet" -> new Shape("spec.template.spec.", o -> {
        var spec = as(o, StatefulSet.class).getSpec();
        return spec == null ? Optional.empty() : template(spec.getTemplate());
      });
      case "apps/DaemonSet" -> new Shape("spec.template.spec.", o -> {
        var spec = as(o, DaemonSet.class).getSpec();
        return spec == null ? Optional.empty() : template(spec.getTemplate());
      });
      case "batch/Job" -> new Shape("spec.template.spec.", o -> {
        var spec = as(o, Job.class).getSpec();
        return spec == null ? Optional.empty() : template(spec.getTemplate());
      });
      case "batch/CronJob" -> new Shape("spec.jobTemplate.spec.template.spec.", o -> {
        var spec = as(o, CronJob.class).getSpec();
        if (spec == null) {
          return Optional.empty();
        }
        JobTemplateSpec jobTemplate = spec.getJobTemplate();
        if (jobTemplate == null || jobTemplate.getSpec() == null) {
          return Optional.empty();
        }
        return template(jobTemplate.getSpec().getTemplate());
      });
      default -> null;
    };
  }

  private static Optional<PodSpec> template(PodTemplateSpec template) {
    return template == null ? Optional.empty() : Optional.ofNullable(template.getSpec());
  }

  private static <T> T as(Object object, Class<T> type) {
    if (type.isInstance(object)) {
      return type.cast(object);
    }
    return AdmissionReviews.convert(object, type);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
