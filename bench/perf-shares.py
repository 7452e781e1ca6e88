#!/usr/bin/env python3
"""Where a JVM's CPU goes, by component, from a `perf record -g` of it.

    perf record -F 299 -g -o run.data -- java -XX:+PreserveFramePointer \
        -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -jar adapters/app/target/autoupload.jar run ...
    perf script -i run.data -F comm,tid,ip,sym > run.script
    bench/perf-shares.py run.script

Each sample counts once, for the first component (in the order below) that its thread or stack
holds; then each component's share wherever it appears in a stack. The JVM writes the names of its
compiled methods to /tmp/perf-<pid>.map at exit, which `perf script` reads. Java's own sampler
(JFR) cannot stand in: it drops most samples of a thread inside the SHA-256 stubs.
"""
import collections
import sys

COMPONENTS = [
    ("JIT compiler threads", lambda thread, frames: "CompilerThre" in thread),
    ("GC and the VM thread", lambda thread, frames: "VM Thread" in thread),
    ("H2 (the journal)", lambda thread, frames: any("org.h2." in f for f in frames)),
    ("Jackson", lambda thread, frames: any("com.fasterxml.jackson" in f for f in frames)),
    ("the JDK's HTTP client", lambda thread, frames: "HttpClient" in thread or any("jdk.internal.net.http" in f for f in frames)),
    ("SHA-256", lambda thread, frames: any("DigestBase" in f or "SHA2" in f for f in frames)),
    ("XML", lambda thread, frames: any("javax.xml" in f or "com.sun.org.apache.xerces" in f for f in frames)),
    ("logging", lambda thread, frames: any("ch.qos.logback" in f or "org.slf4j" in f for f in frames)),
    ("the Activity projection", lambda thread, frames: any("dev.autoupload.engine.internal.activity" in f for f in frames)),
    ("Pekko persistence", lambda thread, frames: any("pekko.persistence" in f for f in frames)),
    ("the engine and its adapters", lambda thread, frames: any("dev.autoupload" in f for f in frames)),
    ("the rest of Pekko", lambda thread, frames: any("org.apache.pekko" in f for f in frames)),
]


def samples(path):
    """(thread line, frames) of each sample of a `perf script` output."""
    thread, frames = None, []
    with open(path, errors="replace") as lines:
        for line in lines:
            if not line.strip():
                continue
            if line[0] not in " \t":
                if thread is not None:
                    yield thread, frames
                thread, frames = line.strip(), []
            else:
                frames.append(line.strip())
    if thread is not None:
        yield thread, frames


def main(path):
    first = collections.Counter()
    anywhere = collections.Counter()
    total = 0
    for thread, frames in samples(path):
        total += 1
        named = None
        for name, holds in COMPONENTS:
            if holds(thread, frames):
                anywhere[name] += 1
                named = named or name
        first[named or "other"] += 1
    if total == 0:
        sys.exit(f"{path}: no samples")
    print(f"{total} samples")
    print("each sample once, first component it holds:")
    for name, _ in COMPONENTS + [("other", None)]:
        print(f"  {100 * first[name] / total:5.1f} %  {name}")
    print("wherever a component appears in a stack:")
    for name, _ in COMPONENTS:
        print(f"  {100 * anywhere[name] / total:5.1f} %  {name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
