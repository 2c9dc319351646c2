# The pyfront frontend image: Node and one bundled file, nothing else.
# Built by `npm run frontend:image` with a fresh dist/frontend-*/ folder as its context. The Node
# base is a build argument so mirrors can be used: by default the minimal base the script builds
# first (docker/node-runtime.Dockerfile); any image with `node` on its PATH works (node:24-slim).
ARG NODE_IMAGE=pyfront/node-runtime:24.19.0
FROM ${NODE_IMAGE}
COPY pyfront-frontend.mjs /pyfront/frontend.mjs
# Node's compile cache (Node 22.1 and later; older ones ignore the variable), filled here by one run
# of the bundle (it finds no gateway and exits): each build's start then skips compiling it.
ENV NODE_COMPILE_CACHE=/pyfront/compile-cache
RUN ["node", "-e", "require('node:child_process').spawnSync(process.execPath, ['/pyfront/frontend.mjs'], { stdio: 'ignore' }); if (require('node:module').enableCompileCache && require('node:fs').readdirSync(process.env.NODE_COMPILE_CACHE).length === 0) throw new Error('no compile cache was written')"]
# The frontend only talks to BuildKit over stdio: it needs no network.
LABEL moby.buildkit.frontend.network.none="true"
# buildx forwards these caps (`--call`, named contexts); BuildKit refuses a frontend without them.
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
LABEL org.opencontainers.image.title="pyfront frontend" \
      org.opencontainers.image.description="BuildKit frontend that builds Python projects from pyproject.toml or Mopyfile.yaml"
ENTRYPOINT ["node", "/pyfront/frontend.mjs"]
