// The chat page and its script, embedded so `gale` serves them with no
// static root. No framework: the page is a list, a form and one loop.
//
// What the script must get right:
//   - bodies are set with textContent, never innerHTML: a body is text;
//   - one order for everyone: a posted message is shown when the poll
//     brings it, not when the post returns, so every page lists messages in
//     the server's order;
//   - an unknown or evicted cursor brings the whole history again, so ids
//     already shown are skipped;
//   - after an error (a worker restarting, the network) it re-polls with a
//     short backoff, doubling up to 5 s, back to 250 ms on success.
//   - when the server protects POSTs from cross-site forgery
//     (xsrf_cookies), the page's GET set an _xsrf cookie: every POST
//     echoes it as X-XSRFToken, which another site's page cannot read.
#include "server/app/chat.hpp"

namespace gale {
namespace {

constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gale chat</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  * { box-sizing: border-box; }
  body { margin: 0 auto; max-width: 48rem; height: 100vh; height: 100dvh;
         display: flex; flex-direction: column; }
  header { padding: .75rem 1rem; border-bottom: 1px solid #8885; }
  h1 { font-size: 1.15rem; margin: 0; }
  #messages { flex: 1; overflow-y: auto; list-style: none; margin: 0;
              padding: .5rem 1rem; }
  #messages li { margin: .3rem 0; padding: .4rem .7rem; border-radius: .6rem;
                 background: #8882; white-space: pre-wrap;
                 overflow-wrap: anywhere; line-height: 1.35; }
  #status { min-height: 1.3em; margin: 0; padding: 0 1rem; font-size: .85rem;
            color: #c33; }
  form { display: flex; gap: .5rem; padding: .5rem 1rem 1rem; }
  input { flex: 1; min-width: 0; font: inherit; padding: .65rem .75rem;
          border: 1px solid #8887; border-radius: .5rem; }
  button { font: inherit; padding: .65rem 1.1rem; border: 0;
           border-radius: .5rem; background: #2b6cd4; color: #fff; }
  button:disabled { opacity: .6; }
  @media (max-width: 30rem) {
    header { padding: .5rem .75rem; }
    #messages { padding: .25rem .5rem; }
    form { padding: .5rem; }
  }
</style>
</head>
<body>
<header><h1>gale chat</h1></header>
<ul id="messages" aria-live="polite"></ul>
<p id="status" role="status"></p>
<form id="form" autocomplete="off">
  <input id="body" name="body" maxlength="4096" placeholder="Message"
         aria-label="Message" autofocus required>
  <button id="send" type="submit">Send</button>
</form>
<script src="chat.js"></script>
</body>
</html>
)html";

constexpr std::string_view kScript = R"js("use strict";
(() => {
  const list = document.getElementById("messages");
  const form = document.getElementById("form");
  const input = document.getElementById("body");
  const send = document.getElementById("send");
  const status = document.getElementById("status");
  const kMaxShown = 1000;  // older items leave the page
  const shown = new Set();
  let cursor = "";

  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  // The _xsrf cookie's token as a header, or none when there is no cookie.
  const xsrf = () => {
    const found = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
    return found ? {"X-XSRFToken": found[1]} : {};
  };
  const setStatus = (text) => { status.textContent = text; };

  function show(message) {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    const stick = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    const item = document.createElement("li");
    item.textContent = message.body;  // text, never HTML
    item.dataset.id = message.id;
    list.appendChild(item);
    while (list.childElementCount > kMaxShown) {
      shown.delete(list.firstElementChild.dataset.id);
      list.firstElementChild.remove();
    }
    if (stick) list.scrollTop = list.scrollHeight;
  }

  async function poll() {
    let backoff = 250;
    for (;;) {
      try {
        const response = await fetch("updates", {
          method: "POST", body: new URLSearchParams({cursor}),
          headers: xsrf(), cache: "no-store"});
        if (!response.ok) throw new Error("HTTP " + response.status);
        const {messages} = await response.json();
        for (const m of messages) show(m);
        if (messages.length) cursor = messages[messages.length - 1].id;
        backoff = 250;
        setStatus("");
      } catch (error) {
        setStatus("Reconnecting\u2026");
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = input.value;
    if (!body) return;
    send.disabled = true;
    try {
      const response = await fetch("new", {
        method: "POST", body: new URLSearchParams({body}), headers: xsrf()});
      if (response.ok) {
        input.value = "";
        setStatus("");
      } else {
        const text = (await response.text()).trim().split("\n").pop();
        setStatus("Not sent: " + (text || "HTTP " + response.status));
      }
    } catch (error) {
      setStatus("Not sent: the server is unreachable");
    } finally {
      send.disabled = false;
      input.focus();
    }
  });

  poll();
})();
)js";

}  // namespace

std::string_view chat_page_html() {
  return kPage;
}

std::string_view chat_page_script() {
  return kScript;
}

}  // namespace gale
