# The guard's image (`kubectl kapsule-ha guard`): the plugin's single executable on a
# minimal base that has what it links (glibc, libstdc++, libgcc_s) and nothing else: no
# shell, no package manager. Built for linux/amd64 and linux/arm64 by the release workflow
# from the release archives, which it unpacks as image/<os>/<arch>/kubectl-kapsule_ha:
#   docker buildx build --platform linux/amd64,linux/arm64 -t <repo>:v<version> .
FROM gcr.io/distroless/cc-debian12:nonroot
ARG TARGETPLATFORM
COPY --chmod=0555 image/${TARGETPLATFORM}/kubectl-kapsule_ha /usr/local/bin/kubectl-kapsule_ha
# The pod runs it as 65532 (distroless's nonroot) with a read-only root and no HOME: it
# writes nothing to disk and reads its credentials from the ServiceAccount volume.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/kubectl-kapsule_ha"]
CMD ["guard", "run"]
