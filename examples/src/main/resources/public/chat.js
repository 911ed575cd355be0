// Hubcast chat page: plain JavaScript, no build step. The protocol is in docs/chat-protocol.md.
// One file on purpose, although over 500 lines: the page loads it with one script tag and no
// bundler, and its parts (connection and reconnect, the two transports, resuming the room, rooms,
// presence, private messages, rendering) share one closure of page state; split, they would need
// modules or a load order to keep.
'use strict';

(() => {
  const NAME = /^[A-Za-z0-9_-]{1,32}$/;
  const MAX_TEXT = 2000;
  const LOBBY = 'lobby';
  const NAME_KEY = 'hubcast.chat.name';   // remembered across reloads and tabs
  const ROOM_KEY = 'hubcast.chat.room';   // remembered per tab across reloads
  const RESUME_KEY = 'hubcast.chat.resume'; // per tab: the room's position and what it showed
  const EPOCH = /^[A-Za-z0-9_.-]{1,64}$/;
  const KEEP = 200;                        // messages of the room kept across a reload
  // ?transport=sse in the page's URL uses Server-Sent Events from the start, ?transport=websocket
  // never falls back to them; anything else starts on WebSocket and falls back (see nextTransport).
  const FORCED = new URLSearchParams(location.search).get('transport');
  const OPEN_TIMEOUT = 10000;              // an attempt not open by then counts as failed to open
  const SSE_RETRIES = 3;                   // EventSource's own reconnects before the page takes over
  // Why a resume was not recovered, in words (the `reason` of a `history`).
  const REASONS = {
    'epoch-changed': 'the server restarted without keeping history',
    'too-old': 'they are older than the history keeps',
    'too-many': 'too many came while you were away',
    'no-history': 'this server keeps no history',
    missing: 'a server lost some while out of touch',
  };

  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const state = {
    name: null,
    conn: null,            // the connection: a transport (webSocketTransport, eventStreamTransport)
    transport: FORCED === 'sse' ? 'sse' : 'websocket', // the one in use or tried last
    wsOpened: false,       // a WebSocket has opened in this page: it is not blocked here
    wsFailures: 0,         // WebSocket attempts in a row that closed before they opened
    sseOpened: false,      // an event stream has opened in this page
    noSse: false,          // the server has no /sse (it answered 404): WebSocket only
    online: false,
    signedOut: false,
    attempt: 0,            // reconnect attempts since the last good connection
    reconnectAt: 0,
    reconnectTimer: null,
    countdownTimer: null,
    everConnected: false,
    room: sessionStorage.getItem(ROOM_KEY) || LOBBY,
    rooms: [],
    members: [],           // in the room now ("Here now")
    people: [],            // online anywhere ("Online"): whom a private message reaches
    lastWhy: null,         // why the last connection closed, in words, until one opens again
    messages: new Map(),   // room -> shown: message objects by epoch then seq, and notices
    position: null,        // { room, epoch, seq }: the last the page has of its room, to resume
    saveTimer: null,
    dms: new Map(),        // peer -> array of dm objects
    dmSeen: new Set(),     // each dm once, whether it came live or in "dms"
    unread: new Map(),     // peer -> count
    missed: 0,             // messages other servers lost on the way here, since last dismissed
    view: { kind: 'room', id: LOBBY },
  };

  // ---------- sign in ----------

  function start() {
    restorePosition();
    const saved = localStorage.getItem(NAME_KEY);
    if (saved && NAME.test(saved)) {
      signIn(saved);
    } else {
      showLogin();
    }
  }

  function showLogin() {
    $('app').hidden = true;
    $('login').hidden = false;
    $('name-input').focus();
  }

  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('name-input').value.trim();
    if (!NAME.test(name)) {
      $('name-hint').textContent = 'Use 1–32 letters, digits, _ or - (no spaces).';
      $('name-hint').classList.add('bad');
      return;
    }
    localStorage.setItem(NAME_KEY, name);
    signIn(name);
  });

  function signIn(name) {
    state.name = name;
    state.signedOut = false;
    $('login').hidden = true;
    $('app').hidden = false;
    $('me-name').textContent = name;
    paintAvatar($('me-avatar'), name);
    state.view = { kind: 'room', id: state.room };
    render();
    connect();
    $('text').focus();
  }

  $('signout').addEventListener('click', () => {
    localStorage.removeItem(NAME_KEY);
    sessionStorage.removeItem(ROOM_KEY);
    sessionStorage.removeItem(RESUME_KEY);
    state.signedOut = true;
    clearReconnect();
    if (state.conn) state.conn.close(1000, 'signed out');
    location.reload();
  });

  // ---------- connection ----------

  function connect() {
    clearReconnect();
    if (state.conn) {
      const old = state.conn; // one connection at a time: "Retry now" replaces a waiting one
      state.conn = null;
      old.close(1000, 'replaced');
    }
    // The connection starts in the page's room. With a position there, the page resumes: the
    // room's history holds exactly what came since (or says why it cannot).
    let query = `name=${encodeURIComponent(state.name)}`;
    const pos = state.position;
    if (pos && pos.room === state.room) {
      query += `&room=${encodeURIComponent(pos.room)}&epoch=${encodeURIComponent(pos.epoch)}`
        + `&seq=${pos.seq}`;
    } else if (state.room !== LOBBY && NAME.test(state.room)) {
      query += `&room=${encodeURIComponent(state.room)}`;
    }
    const kind = nextTransport();
    state.transport = kind;
    const conn = kind === 'sse' ? eventStreamTransport(query) : webSocketTransport(query);
    state.conn = conn;
    $('status').dataset.transport = kind;
    setStatus('connecting', state.attempt ? 'Reconnecting…' : 'Connecting…');
    let opened = false;
    conn.onopen = () => {
      if (state.conn !== conn) return;
      opened = true;
      state.lastWhy = null;
      const wasReconnect = state.everConnected;
      state.online = true;
      state.everConnected = true;
      state.attempt = 0;
      if (kind === 'sse') {
        state.sseOpened = true;
      } else {
        state.wsOpened = true;
        state.wsFailures = 0;
      }
      setStatus('online', kind === 'sse' ? 'Online (SSE)' : 'Online');
      if (wasReconnect) {
        showBanner('Reconnected.', true);
        setTimeout(() => { if (state.online) hideBanner(); }, 2500);
      } else {
        hideBanner();
      }
    };
    conn.onmessage = (data) => {
      if (state.conn !== conn) return;
      let msg;
      try {
        msg = JSON.parse(data);
      } catch (err) {
        return;
      }
      handle(msg);
    };
    // An event stream that dropped, while EventSource reconnects by itself (with Last-Event-ID,
    // from which the server resumes the room); onopen again when it is back, onclose if it is not.
    conn.onreconnecting = () => {
      if (state.conn !== conn) return;
      state.online = false;
      setStatus('connecting', 'Reconnecting…');
      showBanner('Connection lost. Reconnecting…', false, false);
    };
    conn.onunsent = (n, status) => {
      if (state.conn !== conn) return;
      const what = n === 1 ? 'a message was' : `${n} messages were`;
      if (status) {
        toast(`The server refused it (HTTP ${status}): ${what} not sent.`, 'not-sent');
      } else {
        toast(`Not connected: ${what} not sent.`, 'offline');
      }
    };
    conn.onclose = (code, reason) => {
      if (state.conn !== conn) return;
      state.conn = null;
      state.online = false;
      if (state.signedOut) return;
      setStatus('offline', 'Offline');
      if (!opened) failedToOpen(kind, conn);
      if (conn.notFound) {
        state.lastWhy = FORCED === 'sse'
          ? 'This server has no Server-Sent Events (/sse not found): using WebSocket.'
          : 'WebSocket could not be opened, and this server has no Server-Sent Events fallback'
            + ' (/sse not found).';
        toast('This server offers WebSocket only: no Server-Sent Events fallback here.', 'no-sse');
      } else if (opened || !state.lastWhy) {
        // An attempt that never opened says nothing new (a restarting server refuses connections
        // for a while): the reason the last connection closed stays on the banner.
        state.lastWhy = closeReason(code, reason);
      }
      scheduleReconnect(state.lastWhy);
    };
    conn.open();
  }

  // Which transport the next attempt uses. WebSocket first. The page falls back to Server-Sent
  // Events only when WebSocket looks blocked on the way to the server, not when the server is down:
  // no WebSocket has opened in this page yet, and the last two WebSocket attempts both closed (or
  // timed out) before they opened. A server restart never makes a page fall back: its WebSocket
  // had opened, and its attempts while the server is down go on being WebSockets. Once an event
  // stream has opened, the page stays on it (a reload tries WebSocket again). An event stream that
  // fails to open as well means the server itself is unreachable: the next two attempts are
  // WebSockets again. A server without /sse (404) is never asked again.
  function nextTransport() {
    if (state.noSse) return 'websocket';
    if (FORCED === 'sse') return 'sse';
    if (FORCED === 'websocket') return 'websocket';
    if (state.transport === 'sse' && state.sseOpened) return 'sse';
    if (!state.wsOpened && state.wsFailures >= 2) return 'sse';
    return 'websocket';
  }

  function failedToOpen(kind, conn) {
    if (kind === 'websocket') {
      state.wsFailures += 1;
    } else if (conn.notFound) {
      state.noSse = true;
    } else if (!state.sseOpened) {
      state.wsFailures = 0;
    }
  }

  // ---------- transports ----------

  // Both transports have one surface: open(), send(text) (false if not open), close(code, reason),
  // isOpen(), and the callbacks onopen(), onmessage(text), onclose(code, reason); the event stream
  // also calls onreconnecting() while EventSource reconnects by itself, and onunsent(n, status)
  // for messages it could not post (status 0 for a network error). The chat's JSON is the same on
  // both.

  function webSocketTransport(query) {
    const t = { kind: 'websocket' };
    let ws = null;
    let timer = null;
    t.open = () => {
      const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
      ws = new WebSocket(`${scheme}//${location.host}/ws?${query}`);
      // A WebSocket a proxy holds, neither open nor refused, counts as one that could not open.
      timer = setTimeout(() => {
        if (ws.readyState === WebSocket.CONNECTING) ws.close();
      }, OPEN_TIMEOUT);
      ws.onopen = () => {
        clearTimeout(timer);
        t.onopen();
      };
      ws.onmessage = (e) => t.onmessage(e.data);
      ws.onclose = (e) => {
        clearTimeout(timer);
        t.onclose(e.code, e.reason);
      };
    };
    t.isOpen = () => !!ws && ws.readyState === WebSocket.OPEN;
    t.send = (text) => {
      if (!t.isOpen()) return false;
      ws.send(text);
      return true;
    };
    t.close = (code, reason) => {
      clearTimeout(timer);
      if (ws) ws.close(code, reason);
    };
    return t;
  }

  // Server-Sent Events with POST (hub-sse, at /sse beside /ws): an EventSource reads the server's
  // messages, a fetch POST takes each of the page's, one at a time so that their order holds. The
  // stream's first event, hubcast-open, gives the token the POSTs carry; its last, hubcast-close,
  // the close code and reason a WebSocket would have had. A stream that drops is reconnected by
  // EventSource itself, which sends the id of the last room message it got as Last-Event-ID; the
  // server resumes the room from there. When EventSource gives up (an answer other than 200) or
  // has tried SSE_RETRIES times, the transport closes, and the page reconnects as it does a
  // WebSocket, with a fresh query.
  function eventStreamTransport(query) {
    const t = { kind: 'sse', notFound: false };
    let es = null;
    let token = null;      // of the stream now open; null while there is none
    let everOpen = false;
    let errors = 0;        // errors in a row, without an open between them
    let ended = false;
    let timer = null;
    const queue = [];      // texts to post, oldest first
    let posting = false;

    t.open = () => {
      es = new EventSource(`/sse?${query}`);
      timer = setTimeout(() => {
        if (!token) end(1006, '');
      }, OPEN_TIMEOUT);
      es.addEventListener('hubcast-open', (e) => {
        clearTimeout(timer);
        token = e.data;
        everOpen = true;
        errors = 0;
        t.onopen();
        pump();
      });
      es.onmessage = (e) => t.onmessage(e.data);
      es.addEventListener('hubcast-text', (e) => t.onmessage(utf8(atob(e.data))));
      es.addEventListener('hubcast-close', (e) => {
        const data = String(e.data);
        const space = data.indexOf(' ');
        const code = Number(space < 0 ? data : data.slice(0, space));
        end(Number.isInteger(code) ? code : 1006, space < 0 ? '' : data.slice(space + 1));
      });
      es.onerror = () => {
        if (ended) return;
        token = null;
        errors += 1;
        if (es.readyState === EventSource.CLOSED) {
          // EventSource gave up: the server answered something other than an event stream. A
          // 404 means it has no /sse at all (a Jetty chat server): the page must not try again.
          giveUp();
        } else if (!everOpen || errors > SSE_RETRIES) {
          end(1006, ''); // never opened (the server is down), or it stays away: the page's backoff
        } else {
          t.onreconnecting();
        }
      };
    };

    function giveUp() {
      if (everOpen) {
        end(1006, '');
        return;
      }
      clearTimeout(timer);
      es.close();
      fetch('/sse', { method: 'HEAD', cache: 'no-store' })
        .then((r) => { t.notFound = r.status === 404; })
        .catch(() => {})
        .finally(() => end(1006, ''));
    }

    function end(code, reason) {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      token = null;
      if (es) es.close();
      if (queue.length) t.onunsent(queue.splice(0).length);
      t.onclose(code, reason);
    }

    // Posts the queue in order, one request at a time; waits while the stream reconnects.
    async function pump() {
      if (posting) return;
      posting = true;
      try {
        while (queue.length && token && !ended) {
          let response;
          try {
            response = await fetch('/sse', {
              method: 'POST',
              headers: { 'Hubcast-Token': token, 'Content-Type': 'text/plain;charset=utf-8' },
              body: queue[0],
              cache: 'no-store',
            });
          } catch (err) {
            response = null; // the network: the stream finds out too
          }
          if (response && response.status === 204) {
            queue.shift();
          } else if (!ended) {
            // 403: the stream it was for is gone; 413 or 400: the server closes the stream (1009,
            // 1007) and says so with hubcast-close. Either way what is left was not sent.
            t.onunsent(queue.splice(0).length, response ? response.status : 0);
          }
        }
      } finally {
        posting = false;
      }
    }

    t.isOpen = () => !!token && !ended;
    t.send = (text) => {
      if (!t.isOpen()) return false;
      queue.push(text);
      pump();
      return true;
    };
    // An event stream has no close code: the server sees the stream end (1006).
    t.close = () => {
      ended = true;
      clearTimeout(timer);
      token = null;
      if (es) es.close();
    };
    return t;
  }

  // A binary string (from atob) of UTF-8 bytes, as text.
  function utf8(binary) {
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  }

  // Why a connection closed, in words (the hub's close codes and reasons).
  function closeReason(code, reason) {
    const why = String(reason || '');
    if (code === 1001) return 'The server is restarting.';
    if (code === 1008 && why.startsWith('slow consumer')) {
      return 'You were disconnected: messages could not be delivered to you fast enough.';
    }
    if (code === 1008 && why.includes('rate limit')) {
      return 'You were disconnected for sending messages too fast.';
    }
    if (code === 1008) return `You were disconnected: ${why || 'the server refused something sent'}.`;
    if (code === 1009) return 'You were disconnected: a message was too big.';
    if (code === 1011) return 'The server ran into an error.';
    return 'Connection lost.';
  }

  // Exponential backoff, 1 s doubling to 30 s, with "equal jitter": half fixed, half random, so
  // that a crowd of tabs does not come back at the same instant after a restart.
  function scheduleReconnect(why) {
    const ceiling = Math.min(30000, 1000 * 2 ** state.attempt);
    const delay = ceiling / 2 + Math.random() * ceiling / 2;
    state.attempt += 1;
    state.reconnectAt = Date.now() + delay;
    state.reconnectTimer = setTimeout(connect, delay);
    const tick = () => {
      const s = Math.max(0, Math.ceil((state.reconnectAt - Date.now()) / 1000));
      showBanner(`${why} Reconnecting in ${s} s… (attempt ${state.attempt})`, false, true);
    };
    tick();
    state.countdownTimer = setInterval(tick, 250);
  }

  function clearReconnect() {
    clearTimeout(state.reconnectTimer);
    clearInterval(state.countdownTimer);
    state.reconnectTimer = null;
    state.countdownTimer = null;
  }

  $('retry').addEventListener('click', () => {
    if (!state.online) connect();
  });

  function send(obj) {
    if (!state.conn || !state.conn.send(JSON.stringify(obj))) {
      toast('Not connected: it was not sent. Reconnecting…', 'offline');
      return false;
    }
    return true;
  }

  // ---------- protocol ----------

  function handle(msg) {
    switch (msg.type) {
      case 'welcome':
        state.rooms = msg.rooms || [];
        state.people = msg.people || [];
        renderOnline();
        // Back to the room this tab was in before a reload or a reconnect.
        if (state.room !== msg.room) {
          const wanted = state.room;
          state.room = msg.room;
          if (NAME.test(wanted)) send(joinRequest(wanted));
        }
        renderRooms();
        break;
      case 'history':
        takeHistory(msg);
        break;
      case 'message':
        addMessage(msg);
        break;
      case 'presence':
        if (msg.room === state.room) {
          state.members = msg.members || [];
          renderPeople();
          renderTitle();
        }
        break;
      case 'rooms':
        state.rooms = msg.rooms || [];
        renderRooms();
        break;
      case 'people':
        state.people = msg.people || [];
        renderOnline();
        break;
      case 'dm':
        addDm(msg);
        break;
      case 'dms':
        // The conversations kept on the server, after a reload or in a new tab: not unread.
        for (const dm of Array.isArray(msg.messages) ? msg.messages : []) addDm(dm, true);
        if (state.view.kind === 'dm') renderMessages();
        break;
      case 'error':
        if (msg.code === 'slow-down') {
          toast('Slow down: you are sending messages too fast, so some were not sent.',
            'slow-down');
        } else {
          toast(msg.message || 'Something went wrong.', msg.code || 'error');
        }
        break;
      case 'gap':
        showGap(Number(msg.missed) || 0);
        break;
      default:
        break; // newer servers may send more; ignore what this page does not know
    }
  }

  function enterRoom(room) {
    state.room = room;
    sessionStorage.setItem(ROOM_KEY, room);
    if (!state.rooms.includes(room)) state.rooms = [...state.rooms, room].sort();
    if (state.view.kind === 'room') state.view = { kind: 'room', id: room };
    render();
  }

  // A history answers a join. Recovered: exactly what came after the position the page gave, to
  // append. Not recovered: a notice of why, then the room's latest messages. Neither (a plain
  // join): the room's latest messages, in place of what was shown.
  function takeHistory(h) {
    const given = Array.isArray(h.messages) ? h.messages : [];
    if (h.recovered === true || h.recovered === false) {
      if (!state.messages.has(h.room)) state.messages.set(h.room, []);
      const list = state.messages.get(h.room);
      if (h.recovered === false) list.push(notice(h.reason));
      for (const m of given) insertMessage(list, m);
    } else {
      state.messages.set(h.room, given.slice());
    }
    if (typeof h.epoch === 'string' && EPOCH.test(h.epoch) && Number.isSafeInteger(h.seq)) {
      state.position = { room: h.room, epoch: h.epoch, seq: h.seq };
    } else {
      state.position = null; // a server that does not number its rooms: join as before
    }
    enterRoom(h.room);
    savePosition();
  }

  function notice(reason) {
    const why = REASONS[reason] || 'the server did not say why';
    const text = `Some messages could not be recovered: ${why}.`;
    return { kind: 'notice', reason: String(reason), text };
  }

  // The join for a room: with the position the page has in it, a resume.
  function joinRequest(room) {
    const pos = state.position;
    if (pos && pos.room === room) {
      return { type: 'join', room, since: { epoch: pos.epoch, seq: pos.seq } };
    }
    return { type: 'join', room };
  }

  function addMessage(m) {
    let list = state.messages.get(m.room);
    if (!list) {
      list = [];
      state.messages.set(m.room, list);
    }
    const at = insertMessage(list, m);
    if (at < 0) return;
    if (m.room === state.room && typeof m.epoch === 'string' && EPOCH.test(m.epoch)
        && Number.isSafeInteger(m.seq)) {
      const pos = state.position;
      if (!pos || pos.room !== m.room || pos.epoch !== m.epoch || m.seq > pos.seq) {
        state.position = { room: m.room, epoch: m.epoch, seq: m.seq };
        savePositionSoon();
      }
    }
    if (!isViewing('room', m.room)) return;
    if (at === list.length - 1) {
      appendMessage(m, list[at - 1]);
    } else {
      renderMessages();
    }
  }

  // Puts m in its place in a room's list, once: after the messages of its epoch with a lower seq.
  // A message of an epoch other than the last one shown starts the new epoch after what is shown.
  // Returns its index, or -1 when it is there already.
  function insertMessage(list, m) {
    const epoch = m.epoch;
    let last;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i].kind !== 'notice') {
        last = list[i];
        break;
      }
    }
    if (!last || last.epoch !== epoch || m.seq > last.seq) {
      list.push(m);
      return list.length - 1;
    }
    if (list.some((x) => x.kind !== 'notice' && x.epoch === epoch && x.seq === m.seq)) return -1;
    let i = list.length;
    while (i > 0 && list[i - 1].kind !== 'notice' && list[i - 1].epoch === epoch
        && list[i - 1].seq > m.seq) {
      i -= 1;
    }
    list.splice(i, 0, m);
    return i;
  }

  // ---------- the position, kept across a reload ----------

  // The room's position and what the page shows of it go into sessionStorage together, so that a
  // reload shows the same and resumes from there; never one without the other.
  function savePosition() {
    clearTimeout(state.saveTimer);
    state.saveTimer = null;
    const pos = state.position;
    try {
      if (pos && pos.room === state.room) {
        const shown = (state.messages.get(pos.room) || []).slice(-KEEP);
        sessionStorage.setItem(RESUME_KEY, JSON.stringify({ ...pos, shown }));
      } else {
        sessionStorage.removeItem(RESUME_KEY);
      }
    } catch (err) {
      sessionStorage.removeItem(RESUME_KEY); // full: a reload joins the room afresh
    }
  }

  function savePositionSoon() {
    if (!state.saveTimer) state.saveTimer = setTimeout(savePosition, 500);
  }

  function restorePosition() {
    let saved;
    try {
      saved = JSON.parse(sessionStorage.getItem(RESUME_KEY) || 'null');
    } catch (err) {
      saved = null;
    }
    if (!saved || saved.room !== state.room || typeof saved.epoch !== 'string'
        || !EPOCH.test(saved.epoch) || !Number.isSafeInteger(saved.seq) || saved.seq < 0
        || !Array.isArray(saved.shown)) {
      sessionStorage.removeItem(RESUME_KEY);
      return;
    }
    state.position = { room: saved.room, epoch: saved.epoch, seq: saved.seq };
    state.messages.set(saved.room, saved.shown);
  }

  window.addEventListener('pagehide', () => {
    if (state.name && !state.signedOut) savePosition();
  });

  function addDm(dm, kept) {
    const key = [dm.from, dm.to, dm.ts, dm.text].join('\u0000');
    if (state.dmSeen.has(key)) return;
    state.dmSeen.add(key);
    const peer = dm.from === state.name ? dm.to : dm.from;
    if (!state.dms.has(peer)) state.dms.set(peer, []);
    const list = state.dms.get(peer);
    list.push(dm);
    if (kept) {
      list.sort((a, b) => String(a.ts).localeCompare(String(b.ts)));
    } else if (isViewing('dm', peer)) {
      appendMessage(dm, list[list.length - 2]);
    } else if (dm.from !== state.name) {
      state.unread.set(peer, (state.unread.get(peer) || 0) + 1);
    }
    renderDms();
    renderDocumentTitle();
  }

  function isViewing(kind, id) {
    return state.view.kind === kind && state.view.id === id;
  }

  // ---------- rendering ----------

  function render() {
    renderRooms();
    renderPeople();
    renderOnline();
    renderDms();
    renderTitle();
    renderMessages();
  }

  function renderTitle() {
    const text = $('text');
    if (state.view.kind === 'room') {
      $('title').textContent = `# ${state.view.id}`;
      const n = state.members.length;
      $('subtitle').textContent = n ? `${n} ${n === 1 ? 'person' : 'people'} here` : '';
      text.placeholder = `Message # ${state.view.id}`;
    } else {
      $('title').textContent = `@ ${state.view.id}`;
      $('subtitle').textContent = 'Private conversation: only the two of you see it';
      text.placeholder = `Private message to ${state.view.id}`;
    }
    renderDocumentTitle();
  }

  function renderDocumentTitle() {
    let unread = 0;
    state.unread.forEach((n) => { unread += n; });
    const where = state.view.kind === 'room' ? `#${state.view.id}` : `@${state.view.id}`;
    document.title = `${unread ? `(${unread}) ` : ''}${where} · Hubcast chat`;
  }

  function renderRooms() {
    const ul = $('rooms');
    ul.replaceChildren();
    // The lobby always, so that there is a way back; and the room this page is in.
    const rooms = [...new Set([...state.rooms, LOBBY, state.room])].sort();
    for (const room of rooms) {
      const li = el('li');
      li.dataset.room = room;
      li.append(el('span', 'hash', '#'), el('span', 'label', room));
      if (isViewing('room', room)) li.classList.add('active');
      li.addEventListener('click', () => openRoom(room));
      ul.append(li);
    }
  }

  function renderPeople() {
    const ul = $('people');
    ul.replaceChildren();
    for (const name of state.members) {
      const li = el('li');
      li.dataset.name = name;
      li.title = name === state.name ? 'You' : `Send ${name} a private message`;
      li.append(el('span', 'dot'), el('span', 'label', name));
      if (name === state.name) li.append(el('span', 'you', 'you'));
      if (isViewing('dm', name)) li.classList.add('active');
      li.addEventListener('click', () => { if (name !== state.name) openDm(name); });
      ul.append(li);
    }
    $('people-count').textContent = state.members.length ? `(${state.members.length})` : '';
  }

  // Everyone online, in any room: click a name to talk privately.
  function renderOnline() {
    const ul = $('online');
    ul.replaceChildren();
    for (const name of state.people) {
      const li = el('li');
      li.dataset.name = name;
      li.title = name === state.name ? 'You' : `Send ${name} a private message`;
      li.append(el('span', 'dot'), el('span', 'label', name));
      if (name === state.name) li.append(el('span', 'you', 'you'));
      if (isViewing('dm', name)) li.classList.add('active');
      li.addEventListener('click', () => { if (name !== state.name) openDm(name); });
      ul.append(li);
    }
    $('online-count').textContent = state.people.length ? `(${state.people.length})` : '';
  }

  function renderDms() {
    const ul = $('dms');
    ul.replaceChildren();
    for (const peer of state.dms.keys()) {
      const li = el('li');
      li.dataset.peer = peer;
      li.append(el('span', 'hash', '@'), el('span', 'label', peer));
      const n = state.unread.get(peer) || 0;
      if (n) li.append(el('span', 'badge', String(n)));
      if (isViewing('dm', peer)) li.classList.add('active');
      li.addEventListener('click', () => openDm(peer));
      ul.append(li);
    }
    $('dms-empty').hidden = state.dms.size > 0;
  }

  function currentList() {
    return state.view.kind === 'room'
      ? state.messages.get(state.view.id) || []
      : state.dms.get(state.view.id) || [];
  }

  function renderMessages() {
    const ol = $('messages');
    ol.replaceChildren();
    const list = currentList();
    let prev;
    for (const m of list) {
      ol.append(messageItem(m, prev));
      prev = m;
    }
    $('no-messages').hidden = list.length > 0;
    $('no-messages').textContent = state.view.kind === 'room'
      ? 'No messages yet. Say hello!'
      : `No private messages with ${state.view.id} yet.`;
    scrollToEnd(true);
  }

  function appendMessage(m, prev) {
    const nearEnd = isNearEnd();
    $('messages').append(messageItem(m, prev));
    $('no-messages').hidden = true;
    scrollToEnd(nearEnd || m.from === state.name);
  }

  function messageItem(m, prev) {
    if (m.kind === 'notice') {
      const li = el('li', 'notice', m.text);
      li.dataset.reason = m.reason;
      li.setAttribute('role', 'status');
      return li;
    }
    const li = el('li', 'msg');
    if (m.type === 'dm') li.classList.add('private');
    if (m.from === state.name) li.classList.add('mine');
    if (m.seq !== undefined) li.dataset.seq = m.seq;
    li.dataset.from = m.from;
    const when = new Date(m.ts);
    const sameAuthor = prev && prev.kind !== 'notice' && prev.from === m.from
      && when - new Date(prev.ts) < 5 * 60 * 1000;
    if (sameAuthor) li.classList.add('cont');

    const avatar = el('div', 'avatar');
    paintAvatar(avatar, m.from);
    const body = el('div', 'body');
    const meta = el('div', 'meta');
    meta.append(el('span', 'from', m.from));
    const time = el('time', null, formatTime(when));
    time.dateTime = m.ts;
    time.title = when.toLocaleString();
    meta.append(time);
    body.append(meta, el('div', 'text', m.text));
    li.append(avatar, body);
    return li;
  }

  function formatTime(date) {
    if (Number.isNaN(date.getTime())) return '';
    const today = new Date().toDateString() === date.toDateString();
    const hm = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return today ? hm : `${date.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${hm}`;
  }

  function paintAvatar(node, name) {
    let h = 0;
    for (const c of name) h = (h * 31 + c.codePointAt(0)) % 360;
    node.style.background = `hsl(${h} 52% 46%)`;
    node.textContent = name.slice(0, 1);
  }

  function isNearEnd() {
    const s = $('scroller');
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  function scrollToEnd(really) {
    if (really) {
      const s = $('scroller');
      s.scrollTop = s.scrollHeight;
    }
  }

  // ---------- navigation ----------

  function openRoom(room) {
    closeDrawer();
    if (room === state.room) {
      state.view = { kind: 'room', id: room };
      render();
      return;
    }
    if (send({ type: 'join', room })) {
      state.view = { kind: 'room', id: room }; // shown when its history comes
    }
  }

  function openDm(peer) {
    closeDrawer();
    state.view = { kind: 'dm', id: peer };
    state.unread.delete(peer);
    if (!state.dms.has(peer)) state.dms.set(peer, []);
    render();
    $('text').focus();
  }

  $('room-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('room-input');
    const room = input.value.trim().replace(/^#/, '');
    if (!NAME.test(room)) {
      toast('Room names are 1–32 letters, digits, _ or -.', 'bad-room');
      return;
    }
    input.value = '';
    openRoom(room);
  });

  $('menu').addEventListener('click', () => {
    const open = !$('app').classList.contains('drawer-open');
    $('app').classList.toggle('drawer-open', open);
    $('backdrop').hidden = !open;
  });
  $('backdrop').addEventListener('click', closeDrawer);

  function closeDrawer() {
    $('app').classList.remove('drawer-open');
    $('backdrop').hidden = true;
  }

  // ---------- composing ----------

  const text = $('text');
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  text.addEventListener('input', autoGrow);
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });

  function autoGrow() {
    text.style.height = 'auto';
    text.style.height = `${Math.min(text.scrollHeight + 2, 160)}px`;
  }

  function submit() {
    const value = text.value;
    if (!value.trim()) return;
    let sent;
    const command = value.match(/^\/(\w+)\s*(.*)$/s);
    if (command) {
      sent = runCommand(command[1].toLowerCase(), command[2]);
    } else if (state.view.kind === 'dm') {
      sent = send({ type: 'dm', to: state.view.id, text: value });
    } else {
      sent = send({ type: 'say', text: value });
    }
    if (sent) {
      text.value = '';
      autoGrow();
    }
  }

  // /join ROOM and /dm NAME TEXT (or /msg); the server checks them like any other request.
  function runCommand(name, rest) {
    if (name === 'join') {
      const room = rest.trim().replace(/^#/, '');
      if (!room) {
        toast('Usage: /join ROOM', 'usage');
        return false;
      }
      if (!NAME.test(room)) {
        return send({ type: 'join', room }); // the server says what is wrong with it
      }
      openRoom(room);
      return true;
    }
    if (name === 'dm' || name === 'msg') {
      const m = rest.match(/^(\S+)\s+([\s\S]+)$/);
      if (!m) {
        toast('Usage: /dm NAME TEXT', 'usage');
        return false;
      }
      return send({ type: 'dm', to: m[1], text: m[2] });
    }
    toast(`Unknown command /${name}. Try /join ROOM or /dm NAME TEXT.`, 'usage');
    return false;
  }

  // ---------- notices ----------

  function setStatus(kind, label) {
    const s = $('status');
    s.dataset.state = kind;
    s.querySelector('span').textContent = label;
    $('send').disabled = kind !== 'online';
    document.body.classList.toggle('offline', kind !== 'online');
  }

  function showBanner(message, good, retry) {
    $('banner').hidden = false;
    $('banner').classList.toggle('good', !!good);
    $('banner-text').textContent = message;
    $('retry').hidden = !retry;
  }

  function hideBanner() {
    $('banner').hidden = true;
  }

  // The servers lost touch for a while (their shared Redis was down): what others said on another
  // server meanwhile never came. It stays until dismissed, counting what was missed.
  function showGap(missed) {
    state.missed += missed;
    $('gap-text').textContent = `Some messages may be missing (${state.missed}): the chat's`
      + ' servers lost touch for a moment.';
    $('gap').hidden = false;
  }

  $('gap-dismiss').addEventListener('click', () => {
    state.missed = 0;
    $('gap').hidden = true;
  });

  function toast(message, code) {
    const box = el('div', code === 'usage' ? 'toast info' : 'toast');
    box.dataset.code = code;
    const body = el('span', 'toast-text');
    if (code && code !== 'usage') body.append(el('code', null, code), ' ');
    body.append(message);
    const close = el('button', null, '×');
    close.type = 'button';
    close.title = 'Dismiss';
    close.addEventListener('click', () => box.remove());
    box.append(body, close);
    $('errors').append(box);
    while ($('errors').children.length > 3) $('errors').firstElementChild.remove();
    setTimeout(() => box.remove(), 8000);
  }

  // The inputs' own hints, instead of the browser's "Please match the requested format."
  function ownHint(input, hint, withHash) {
    const check = () => {
      const value = input.value.trim();
      input.setCustomValidity(NAME.test(withHash ? value.replace(/^#/, '') : value) ? '' : hint);
    };
    input.addEventListener('input', check);
    check();
  }
  ownHint($('name-input'), 'Use 1–32 letters, digits, _ or - (no spaces).', false);
  ownHint($('room-input'), 'Room names are 1–32 letters, digits, _ or - (#dev or dev).', true);

  text.maxLength = MAX_TEXT;
  start();
})();
