/**
 * Step "environment of the namespace": the request path names it ({@code /validate/prod}), else the
 * GateConfig's namespace rules, else its default environment. An environment no policy knows is a
 * configuration error that denies, never a silent pass.
 */
package dev.promgate.environment;
