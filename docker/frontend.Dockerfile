# The pyfront frontend image: Node and one bundled file, nothing else.
# Built by `npm run frontend:image` with a fresh dist/frontend-*/ folder as its context. The Node
# base is a build argument so mirrors can be used: by default the minimal base the script builds
# first (docker/node-runtime.Dockerfile); any image with `node` on its PATH works (node:24-slim).
ARG NODE_IMAGE=pyfront/node-runtime:24.19.0
FROM ${NODE_IMAGE}
COPY pyfront-frontend.cjs /pyfront/frontend.cjs
# A V8 start-up snapshot of the loaded bundle (its protobuf descriptors, schemas and code): each
# build's frontend starts from it instead of compiling and running the bundle's top level. It is
# taken by this image's own Node, the one that restores it.
RUN ["node", "--snapshot-blob", "/pyfront/frontend.blob", "--build-snapshot", "/pyfront/frontend.cjs"]
# The frontend only talks to BuildKit over stdio: it needs no network.
LABEL moby.buildkit.frontend.network.none="true"
# buildx forwards these caps (`--call`, named contexts); BuildKit refuses a frontend without them.
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
LABEL org.opencontainers.image.title="pyfront frontend" \
      org.opencontainers.image.description="BuildKit frontend that builds Python projects from pyproject.toml or Mopyfile.yaml"
ENTRYPOINT ["node", "--snapshot-blob", "/pyfront/frontend.blob"]
