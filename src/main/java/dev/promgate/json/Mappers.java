package dev.promgate.json;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * The Jackson mappers promgate shares, one per purpose. Jackson 3 throughout: it is what fabric8's
 * Kubernetes models run on, so AdmissionReviews, registry answers, signed payloads, policies'
 * side files, log lines and manifests are all read and written by one major version.
 */
public final class Mappers {

  private Mappers() {}

  /**
   * JSON, read strictly and written compactly. Duplicate keys are refused, and so is anything after
   * the value: two parsers must never disagree about what a manifest, a signed payload or a review
   * says (Go's {@code encoding/json}, which cosign and the API server use, refuses trailing data too).
   * Unknown properties are ignored when binding and a null for a primitive is its default.
   * Properties are written in insertion or declaration order, as Go writes cosign's structs.
   */
  public static final JsonMapper JSON = json(StreamReadConstraints.defaults());

  /**
   * The same rules as {@link #JSON}, with other bounds on what is read: for input whose size and
   * depth promgate bounds more tightly than Jackson does (registry answers).
   */
  public static JsonMapper json(StreamReadConstraints constraints) {
    return JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
        .build();
  }

  /**
   * Kubernetes manifests: read as documents of a stream (what {@code promgate evaluate} is given)
   * and written as {@code kubectl apply} takes them: no document start marker, quotes only where
   * needed, multi-line strings (CEL expressions) as literal blocks, list items indented under their key.
   */
  public static final YAMLMapper YAML = YAMLMapper.builder()
      .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
      .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
      .enable(YAMLWriteFeature.LITERAL_BLOCK_STYLE)
      .enable(YAMLWriteFeature.INDENT_ARRAYS_WITH_INDICATOR)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
}
