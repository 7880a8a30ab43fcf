/**
 * Step "workload images": which container images a request asks the cluster to run — for every
 * workload kind, in containers, initContainers, ephemeralContainers and image volumes, each with its field path;
 * on UPDATE only the images that are new compared with the old object.
 */
package dev.promgate.workload;
