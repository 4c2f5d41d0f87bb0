# The octobox image: every tool and octo-sim on the PATH, run as a non-root user.
#   docker build -t registry.example.invalid/octobox:0.1.0 .
#   docker run --rm registry.example.invalid/octobox:0.1.0 halo-query --help
#   docker run --rm -p 8080:8080 registry.example.invalid/octobox:0.1.0 octo-sim serve --host 0.0.0.0 --port 8080
# The Kubernetes examples (examples/k8s) run this image. Checked statically by tests/tests/dockerfile.rs.

# Build: the toolchain of rust-toolchain.toml (the test keeps this tag equal to its channel),
# Cargo.lock as committed (--locked), the release profile of Cargo.toml (stripped, thin LTO).
FROM rust:1.95.0-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends git jq make \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --workspace --bins --locked --release \
 && make install PROFILE=release NO_BUILD=1 PREFIX=/usr/local DESTDIR=/out

# Run: a slim Debian of the same release (same glibc), CA certificates for TLS, no compiler.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /home/octobox octobox
# every binary `make install` put in bin/ (the workspace's, from cargo metadata), nothing else
COPY --from=build /out/usr/local/bin/ /usr/local/bin/
USER 10001:10001
WORKDIR /home/octobox
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["halo-query", "--help"]
