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
      build-essential cmake ninja-build pkg-config \
      libcpprest-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCERTPLANE_WERROR=ON \
      -DCERTPLANE_BUILD_TESTS=OFF -DCERTPLANE_BUILD_BENCH=OFF \
 && cmake --build /build --target certplane-controller \
 && cmake --install /build --strip --prefix /out \
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
