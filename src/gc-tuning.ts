import { setFlagsFromString } from "node:v8";

/**
 * Lets V8's old generation grow by `percent` between full (mark-compact) collections, for the isolate and its
 * worker threads; 0 leaves V8's own choice. V8 sizes that step from how fast collection runs against how fast
 * the program allocates, measured as if each had a core of its own. A busy server on few cores gets a step of
 * 10–20 %: under big-docs load a node with a 78 MB heap began a full collection every 0.3–0.5 s, whose
 * concurrent marking (about 130 ms of CPU each) took cores from the event loops. At 100 % the same load needs
 * about a third as many, for some 40–50 MB more memory per node (README, Performance).
 * V8 reads the flag each time it sets the next limit, so setting it at start-up is enough (the test checks that).
 */
export function tuneGarbageCollector(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
