/**
 * JMH micro-benchmarks of the engine's hot paths and two scale harnesses; not part of the test
 * run. Build {@code benchmarks.jar} with {@code mvn -pl benchmarks -am package -DskipTests}, then
 * see docs/perf-notes/scale-and-micro.md for the commands and the numbers.
 *
 * <ul>
 *   <li>{@link org.blkdebug.benchmarks.RuleEngineBench}: an event with no rules, and the
 *       request-time armed-rule check with 0 or 100,000 armed sector rules</li>
 *   <li>{@link org.blkdebug.benchmarks.SuspendResumeBench}: breakpoint hit, resume, completion</li>
 *   <li>{@link org.blkdebug.benchmarks.ReadPathBench}: a 4 KiB read through the whole stack vs
 *       directly on the memory backend</li>
 *   <li>{@link org.blkdebug.benchmarks.SuspensionScale}: a million requests suspended at once</li>
 *   <li>{@link org.blkdebug.benchmarks.RuleScale}: 4 KiB reads with 100,000 armed rules vs none</li>
 * </ul>
 */
package org.blkdebug.benchmarks;
