/**
 * The JSON and YAML mappers every step shares ({@link dev.promgate.json.Mappers}), one per purpose,
 * all on Jackson 3. The lowest layer: it knows nothing of promgate.
 */
package dev.promgate.json;
