# warroom's container image: one static binary on an empty base.
#
#   podman build -t warroom .                       # builds the binary in golang:1.26
#   podman build -t warroom --build-arg BINARY=prebuilt .   # offline: uses ./warroom from the context
#
# For the offline build, first: CGO_ENABLED=0 go build -tags timetzdata -trimpath -o warroom ./cmd/warroom
# The SQLite driver (modernc.org/sqlite) is pure Go, so the binary needs
# no C library and runs on scratch.

ARG BINARY=build

FROM docker.io/library/golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
ARG COMMIT=
ARG DATE=
# timetzdata embeds the time zone database: on-call schedules and freeze
# windows are in people's zones, and scratch has no /usr/share/zoneinfo.
RUN CGO_ENABLED=0 go build -tags timetzdata -trimpath \
    -ldflags "-s -w -X github.com/warroomhq/warroom/internal/buildinfo.version=${VERSION} -X github.com/warroomhq/warroom/internal/buildinfo.commit=${COMMIT} -X github.com/warroomhq/warroom/internal/buildinfo.date=${DATE}" \
    -o /out/warroom ./cmd/warroom && \
    cp /etc/ssl/certs/ca-certificates.crt /out/

# The offline variant: the binary and the host's CA bundle from the context
# (.ci/run copies the bundle to deploy/ca-certificates.crt).
FROM scratch AS prebuilt
COPY warroom /out/warroom
COPY deploy/ca-certificates.crt /out/ca-certificates.crt

FROM ${BINARY} AS binary

FROM scratch
COPY --from=binary /out/warroom /warroom
# Webhooks, chat channels and OIDC are HTTPS: scratch has no CA bundle.
COPY --from=binary /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# Not root: the data volume belongs to uid 65532, the usual "nonroot".
USER 65532:65532
ENV WARROOM_ADDR=0.0.0.0:8080 \
    WARROOM_DATABASE=/data/warroom.db \
    WARROOM_SECRET_KEY_FILE=/data/warroom.db.key \
    WARROOM_SERVER=http://127.0.0.1:8080
# The SQLite database and its key live here. With PostgreSQL, set
# WARROOM_DATABASE to its URL and WARROOM_SECRET_KEY (or mount the key).
VOLUME ["/data"]
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=6s --start-period=20s --retries=3 CMD ["/warroom", "ready"]
ENTRYPOINT ["/warroom"]
CMD ["serve"]
