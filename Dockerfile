# syntax=docker/dockerfile:1
# Sésame and the demo panels, as one static, non-root image.
#
#   docker build -t sesame .
#   docker run --rm -p 8080:8080 -e SESAME_ADDR=0.0.0.0:8080 sesame
#
# internal/container's test builds the binaries with the same flags
# (CGO_ENABLED=0, the GOFLAGS and LDFLAGS below) where no container
# engine is available.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 \
    GOFLAGS="-trimpath -buildvcs=false" \
    LDFLAGS="-s -w"
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -ldflags="${LDFLAGS}" -o /out/sesame ./cmd/sesame \
 && go build -ldflags="${LDFLAGS}" -o /out/demo-product ./cmd/demo-product \
 && mkdir -p /out/data

# distroless/static: CA certificates, /etc/passwd with the nonroot user
# (65532), no shell, no package manager. The binaries carry the time zone
# database themselves.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sesame /out/demo-product /usr/local/bin/
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV SESAME_ADDR=0.0.0.0:8080 \
    SESAME_DATABASE_URL=sqlite:/data/sesame.db
EXPOSE 8080 9464
ENTRYPOINT ["/usr/local/bin/sesame"]
CMD ["serve"]
