// Lobby board: follows /display/events (SSE) and announces each new call.
(function () {
  const counters = document.querySelector("#counters tbody");
  const waiting = document.getElementById("waiting");
  const announcement = document.getElementById("announcement");
  const clock = document.getElementById("clock");
  let lastCall = null;

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function render(board) {
    counters.replaceChildren(...board.counters.map(function (c) {
      const tr = document.createElement("tr");
      if (c.state !== "open") tr.className = "paused";
      tr.append(cell("Quầy " + c.number), cell(c.state === "open" ? (c.current || "—") : "Tạm dừng", "code"));
      return tr;
    }));
    waiting.replaceChildren(...board.waiting.map(function (code) {
      const li = document.createElement("li");
      li.textContent = code;
      return li;
    }));
    if (board.last_call && board.last_call !== lastCall) {
      if (lastCall !== null || board.announcement) announce(board.announcement);
      lastCall = board.last_call;
    }
  }

  function announce(text) {
    announcement.textContent = text;
    if ("speechSynthesis" in window) {
      const speech = new SpeechSynthesisUtterance(text);
      speech.lang = "vi-VN";
      window.speechSynthesis.speak(speech);
    }
  }

  function tick() {
    clock.textContent = new Date().toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }

  new EventSource("/display/events").onmessage = function (event) { render(JSON.parse(event.data)); };
  tick();
  setInterval(tick, 15000);
})();
