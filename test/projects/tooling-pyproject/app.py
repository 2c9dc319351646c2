from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TEAMS = {"platform": ["ana", "bo"], "data": ["cy"]}


async def homepage(request: Request) -> JSONResponse:
    return JSONResponse({"teams": sorted(TEAMS)})


async def team(request: Request) -> JSONResponse:
    name = request.path_params["name"]
    if name not in TEAMS:
        return JSONResponse({"error": "no such team"}, status_code=404)
    return JSONResponse({"team": name, "members": TEAMS[name]})


app = Starlette(routes=[Route("/", homepage), Route("/teams/{name}", team)])
