"""The organizer's check-in screen (第十五条): the rotating QR code and the password, refreshed
when the code turns. The page is static; it fetches ``/api/activities/{id}/checkin/{session}``
with the organizer's bearer token, given after ``#token=`` (a fragment never reaches a server
log) and kept in the tab's sessionStorage."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>活动签到</title><style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;text-align:center;margin:1rem}
#qr svg{width:min(80vmin,32rem);height:auto;display:block;margin:auto}
#password{font-size:3rem;letter-spacing:.3rem}
.muted{color:#666}</style></head><body>
<h1>扫码签到</h1><div id="qr">加载中…</div>
<p>签到口令：<strong id="password">—</strong></p>
<p class="muted">二维码每隔一段时间自动更新；签到截止 <span id="closes">—</span></p>
<p id="error" style="color:#a01818"></p>
<script>
const params = new URLSearchParams(location.hash.slice(1));
if (params.get("token")) { sessionStorage.setItem("token", params.get("token"));
  history.replaceState(null, "", location.pathname); }
const token = sessionStorage.getItem("token");
const api = "/api" + location.pathname.replace(/^\\/checkin/, "/activities").replace(
  /\\/([0-9]+)$/, "/checkin/$1");
async function refresh() {
  let wait = 5;
  try {
    const reply = await fetch(api, {headers: {Authorization: "Bearer " + token}});
    const body = await reply.json();
    if (!reply.ok) { document.getElementById("error").textContent = body.message_zh; }
    else {
      const qr = document.getElementById("qr"); qr.innerHTML = body.svg;
      const svg = qr.querySelector("svg");  // scale the whole code, not just its box
      if (svg && !svg.getAttribute("viewBox")) svg.setAttribute("viewBox",
        `0 0 ${parseFloat(svg.getAttribute("width"))} ${parseFloat(svg.getAttribute("height"))}`);
      document.getElementById("password").textContent = body.password || "（本场不使用口令）";
      document.getElementById("closes").textContent = body.closes_at;
      document.getElementById("error").textContent = "";
      wait = body.refresh_seconds;
    }
  } catch (e) { document.getElementById("error").textContent = "网络错误，稍后重试"; }
  setTimeout(refresh, wait * 1000);
}
refresh();
</script></body></html>"""


async def checkin_page(request: Request) -> Response:
    del request
    return HTMLResponse(PAGE)
