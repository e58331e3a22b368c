#!/bin/bash -eu
# ClusterFuzzLite builds the same target, corpus, dict and options as OSS-Fuzz.
exec "$SRC/unmapfuzz/oss-fuzz/build.sh"
