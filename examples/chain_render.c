// The callee of the chaining example (examples/chain_front.c): renders a greeting
// fragment. It never needs a route of its own to be called by `front` (chaining goes to
// the action by name), but it has one like every action:
//
//   wasm-actions deploy build/guests/chain_render.wasm --name render --route /render
//   curl 'http://127.0.0.1:8080/render/greet?name=Ann'   → <p class="greet">Hello, Ann!</p>
//
// PATH_INFO chooses the fragment (/greet, anything else is 404); the caller's method is
// REQUEST_METHOD, its headers HTTP_*, its body stdin, exactly as for a request from outside.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasm_actions.h>

static void write_html_escaped(const char* s) {
  for (; *s; ++s) {
    switch (*s) {
      case '&':
        fputs("&amp;", stdout);
        break;
      case '<':
        fputs("&lt;", stdout);
        break;
      case '>':
        fputs("&gt;", stdout);
        break;
      case '"':
        fputs("&quot;", stdout);
        break;
      case '\'':
        fputs("&#39;", stdout);
        break;
      default:
        fputc(*s, stdout);
    }
  }
}

int main(void) {
  if (strcmp(wa_request_path(), "/greet") != 0) {
    wa_respond_str(404, NULL, "render: no such fragment\n");
    return 0;
  }
  char* name = wa_query_param("name");
  const char* via = wa_header("X-Requested-By");
  wa_response_begin(200);
  wa_response_header("Content-Type", "text/html; charset=utf-8");
  wa_response_header("X-Rendered-By", "render");
  wa_response_end_headers();
  fputs("<p class=\"greet\">Hello, ", stdout);
  write_html_escaped(name && *name ? name : "stranger");
  fputs("!</p>", stdout);
  if (via) {
    fputs("<!-- for ", stdout);
    write_html_escaped(via);
    fputs(" -->", stdout);
  }
  fputc('\n', stdout);
  free(name);
  return 0;
}
