# syntax=docker/dockerfile:1
#
# khabar: multi-stage build. SQLite and libpq are compiled into the binary
# (bundled features), so the runtime image only needs OpenSSL and CA roots.
#
#   docker build -t khabar .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=postgres://... khabar

############################ builder ############################
FROM rust:1-bookworm AS builder

# pq-sys builds the bundled libpq against OpenSSL (usually present already).
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# 1) Dependencies only, cached until Cargo.toml/Cargo.lock change: build a
#    dummy crate with the real manifest. If the manifest names files the dummy
#    lacks (build.rs, benches, ...) this step just caches less.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src \
 && echo 'fn main() {}' > src/main.rs \
 && : > src/lib.rs \
 && (cargo build --release --locked \
     || echo "dependency pre-build skipped; the full build below compiles everything") \
 && rm -rf src target/release/khabar target/release/khabar.d \
      target/release/.fingerprint/khabar-* \
      target/release/deps/khabar-* target/release/deps/libkhabar-*

# 2) The real source tree (src/, migrations/, openapi/, seed fixture, ...);
#    target/ and .git/ are excluded by .dockerignore.
COPY . .
RUN cargo build --release --locked \
 && strip target/release/khabar \
 && ./target/release/khabar --help > /dev/null

############################ runtime ############################
FROM debian:bookworm-slim

# curl is only for the container healthcheck (see docker-compose.yml).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 curl \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 khabar \
 && useradd --system --uid 10001 --gid khabar --home-dir /var/lib/khabar \
      --create-home --shell /usr/sbin/nologin khabar

COPY --from=builder /src/target/release/khabar /usr/local/bin/khabar

USER 10001:10001
WORKDIR /var/lib/khabar

# Default database: a SQLite file in the user's writable home; docker-compose
# (and any real deployment) sets DATABASE_URL to PostgreSQL instead.
ENV KHABAR_BIND=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///var/lib/khabar/khabar.sqlite

EXPOSE 8080
ENTRYPOINT ["khabar"]
CMD ["serve"]
