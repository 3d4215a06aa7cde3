# The certplane-controller image: built from this repository, run as a non-root user
# with only the shared libraries the controller links.
#
#   docker build -t certplane:dev .
#
# Stage 1 builds with the same Debian packages and flags as hack/build.sh (a release
# build with debug info, warnings as errors), without tests or benchmarks.
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential ccache cmake ninja-build pkg-config \
      libcpprest-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The compiler cache lives in a cache mount, so a rebuild after a small change compiles
# only what changed. Paths relative to /src and the build folder at /src/build, with no
# working directory in the hash, as hack/build.sh sets for build/: hack/image.sh mounts
# its cache folder here, so the cache outlives the build stage's layer.
ENV CCACHE_DIR=/root/.cache/ccache CCACHE_BASEDIR=/src CCACHE_NOHASHDIR=true
RUN --mount=type=cache,id=certplane-ccache,target=/root/.cache/ccache \
    cmake -S . -B /src/build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTPLANE_WERROR=ON \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache \
      -DCERTPLANE_BUILD_TESTS=OFF -DCERTPLANE_BUILD_BENCH=OFF \
 && cmake --build /src/build --target certplane-controller \
 && ccache --show-stats \
 && cmake --install /src/build --strip --prefix /out \
 && /out/bin/certplane-controller --version

# Stage 2: the runtime. One package per library the controller links (ldd; the test
# e2e.helm.DockerfileTest checks each name exists in Debian bookworm and that together
# they provide every library the binary needs).
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libcpprest2.10 libfmt9 libspdlog1.10 libssl3 libyaml-cpp0.7 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/bin/certplane-controller /usr/local/bin/certplane-controller
# 65532: the conventional "nonroot" id (distroless), the chart's runAsUser. The
# controller writes no files, so the root filesystem can be read-only.
USER 65532:65532
EXPOSE 8080 8443 9402 9403
ENTRYPOINT ["/usr/local/bin/certplane-controller"]
