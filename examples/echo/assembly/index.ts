// Echo action (AssemblyScript, WASI): answers with the request line, the request's
// headers (from the CGI HTTP_* variables) and its body, unchanged.

// "HTTP_X_FORWARDED_FOR" → "x-forwarded-for"
function headerName(variable: string): string {
  return variable.substring(5).toLowerCase().replaceAll("_", "-");
}

// Reads stdin (the request body) to the end.
function readBody(): ArrayBuffer {
  let chunks = new Array<ArrayBuffer>();
  let total = 0;
  while (true) {
    let chunk = new ArrayBuffer(16384);
    let n = process.stdin.read(chunk);
    if (n <= 0) break;
    chunks.push(chunk.slice(0, n));
    total += n;
  }
  let body = new ArrayBuffer(total);
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    memory.copy(changetype<usize>(body) + offset, changetype<usize>(chunks[i]), chunks[i].byteLength);
    offset += chunks[i].byteLength;
  }
  return body;
}

function env(name: string): string {
  return process.env.has(name) ? process.env.get(name) : "";
}

let names = process.env.keys();
names.sort();
let text = env("REQUEST_METHOD") + " " + env("SCRIPT_NAME") + env("PATH_INFO");
let query = env("QUERY_STRING");
if (query.length > 0) text += "?" + query;
text += "\n";
for (let i = 0; i < names.length; i++) {
  if (names[i].startsWith("HTTP_")) {
    text += headerName(names[i]) + ": " + process.env.get(names[i]) + "\n";
  }
}
if (env("CONTENT_TYPE").length > 0) text += "content-type: " + env("CONTENT_TYPE") + "\n";
if (env("CONTENT_LENGTH").length > 0) text += "content-length: " + env("CONTENT_LENGTH") + "\n";
text += "\n";

process.stdout.write("Content-Type: text/plain; charset=utf-8\r\n");
process.stdout.write("X-Echo-Method: " + env("REQUEST_METHOD") + "\r\n\r\n");
process.stdout.write(text);
process.stdout.write(readBody());
