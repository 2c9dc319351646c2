# The pyfront frontend image: Node and one bundled file, nothing else.
# Built by `npm run frontend:image` with a fresh dist/frontend-*/ folder as its context; the Node base is a build
# argument so mirrors can be used.
ARG NODE_IMAGE=node:20-slim
FROM ${NODE_IMAGE}
COPY pyfront-frontend.mjs /pyfront/frontend.mjs
# The frontend only talks to BuildKit over stdio: it needs no network.
LABEL moby.buildkit.frontend.network.none="true"
# buildx forwards these caps (`--call`, named contexts); BuildKit refuses a frontend without them.
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
LABEL org.opencontainers.image.title="pyfront frontend" \
      org.opencontainers.image.description="BuildKit frontend that builds Python projects from pyproject.toml or Mopyfile.yaml"
ENTRYPOINT ["node", "/pyfront/frontend.mjs"]
