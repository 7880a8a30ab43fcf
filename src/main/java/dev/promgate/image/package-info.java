/**
 * Image references: the distribution reference grammar, normalised the way container runtimes
 * normalise it, and validated digests. Every later step works on these values, never on the raw
 * image string of a pod spec.
 */
package dev.promgate.image;
