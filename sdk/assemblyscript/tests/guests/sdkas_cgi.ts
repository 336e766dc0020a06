// SDK test guest: the CGI helpers (Request, Response, Params, JSON, HTML escaping) and
// file reads from preopened directories. argv[1] names the scenario.
import { Files, JsonObject, Request, Response, escapeHtml, percentDecode } from "../../assembly/index";

function say(line: string): void { process.stdout.write(line + "\n"); }

function cgi(): void {
  const req = Request.current();
  const form = req.form();
  const out = new JsonObject()
    .str("method", req.method)
    .str("path", req.path)
    .strOrNull("q", req.query("q"))
    .strOrNull("missing", req.query("missing"))
    .strOrNull("agent", req.header("User-Agent"))
    .strOrNull("type", req.header("content-type"))
    .strOrNull("form_name", form.get("name"))
    .strOrNull("form_text", form.get("text"))
    .str("html", escapeHtml("<a href=\"x\">&'</a>"))
    .str("decoded", percentDecode("%E2%82%AC+%zz", true));
  Response.json(out.toString(), 201).setHeader("X-Injected", "a\r\nSet-Cookie: evil").send();
}

function json(): void {
  const body = Request.current().json();
  if (body == null) { Response.text("bad json\n", 400).send(); return; }
  const n = body.get("n");
  const obj = new JsonObject().str("name", body.getString("name")).num("n", n == null ? -1 : n.numberValue);
  Response.json(obj.toString()).send();
}

function file(): void {
  const text = Files.readString(process.argv[2]);
  say(text == null ? "errno=" + Files.lastErrno.toString() : "file=" + text);
}

const scenario = process.argv.length > 1 ? process.argv[1] : "";
if (scenario == "cgi") cgi();
else if (scenario == "json") json();
else if (scenario == "file") file();
else { say("unknown scenario " + scenario); process.exit(2); }
