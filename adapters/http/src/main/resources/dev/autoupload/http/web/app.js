// The Activity page: logs in with the API token (the server answers with an HttpOnly session
// cookie and a CSRF token), then shows the engine's status, files in flight, recent uploads and
// failures, kept live by the /api/events stream. Text from the server only ever goes in through
// textContent, and names and messages through shown().
'use strict';

(() => {
  const RECENT_LIMIT = 20;
  // The Activity list is a read model that trails the engine's events by a moment: an upload
  // announced by an event is looked for again after these delays until it shows.
  const CATCH_UP_DELAYS = [300, 600, 1200, 2500, 5000, 10000];
  // On a node of a cluster the event stream carries this node's engine alone: the libraries that
  // run on the other nodes are shown afresh this often instead.
  const CLUSTER_REFRESH_MS = 3000;
  const STATE_WORDS = {
    running: 'Backing up',
    waiting: 'Waiting',
    paused: 'Paused',
    idle: 'Up to date',
  };

  const byId = (id) => document.getElementById(id);

  // Names and messages as the command line prints them: on one line, a control character as '?',
  // and a character that is invisible or reorders the text around it (a right-to-left override
  // U+202E, zero-width spaces, other format characters, lone surrogates) as <U+XXXX>, never obeyed,
  // so that a name cannot read otherwise than it is. The joiners of emoji and scripts stay.
  function shown(text) {
    return String(text)
      .replace(/\s*(?:\r\n|[\n\v\f\r\u0085\u2028\u2029])\s*/gu, ' ')
      .replace(/\t/g, ' ')
      .replace(/\p{Cc}/gu, '?')
      .replace(/[\p{Cf}\p{Cs}]/gu, (c) =>
        c === '\u200C' || c === '\u200D' ? c : '<U+' + c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0') + '>')
      .trim();
  }

  let csrfToken = null;
  let events = null;
  let statusTimer = null;
  let refreshTimer = null;
  let catchUpTimer = null;
  let catchUpAttempt = 0;
  let clusterTimer = null;
  const awaited = new Set();

  class Unauthorized extends Error {}

  async function api(path, options = {}) {
    const method = options.method || 'GET';
    const headers = Object.assign({ Accept: 'application/json' }, options.headers || {});
    if (method !== 'GET' && csrfToken) {
      headers['X-CSRF-Token'] = csrfToken;
    }
    const response = await fetch(path, { method, headers, body: options.body, credentials: 'same-origin' });
    if (response.status === 401) {
      throw new Unauthorized();
    }
    if (!response.ok) {
      let message = response.statusText;
      try {
        message = (await response.json()).error || message;
      } catch (ignored) {
        // Not JSON: keep the status text.
      }
      throw new Error(message);
    }
    return response.status === 204 ? null : response.json();
  }

  // ---- login ----

  function showLogin(message) {
    disconnect();
    csrfToken = null;
    byId('dashboard').hidden = true;
    byId('login-panel').hidden = false;
    const error = byId('login-error');
    error.textContent = message || '';
    error.hidden = !message;
    byId('token').focus();
  }

  function showDashboard(session) {
    csrfToken = session.csrfToken;
    byId('login-panel').hidden = true;
    byId('dashboard').hidden = false;
    connect();
    refreshAll();
  }

  async function login(event) {
    event.preventDefault();
    const input = byId('token');
    const button = byId('login');
    button.disabled = true;
    try {
      const response = await fetch('/login', {
        method: 'POST',
        body: new URLSearchParams({ token: input.value.trim() }),
        credentials: 'same-origin',
      });
      if (!response.ok) {
        showLogin(response.status === 401 ? 'That token is not right.' : 'Login failed: ' + response.statusText);
        return;
      }
      input.value = '';
      showDashboard(await response.json());
    } catch (error) {
      showLogin('Cannot reach autoupload: ' + error.message);
    } finally {
      button.disabled = false;
    }
  }

  async function logout() {
    try {
      await api('/api/logout', { method: 'POST' });
    } catch (ignored) {
      // Logged out either way.
    }
    showLogin();
  }

  // ---- live updates ----

  function connect() {
    disconnect();
    const connection = byId('connection');
    events = new EventSource('/api/events');
    events.addEventListener('ready', () => {
      connection.dataset.connected = 'true';
      connection.textContent = 'Live';
      refreshAll();
    });
    events.addEventListener('progress', (event) => {
      showProgress(JSON.parse(event.data));
      refreshStatusSoon(2000);
    });
    events.addEventListener('state', (event) => {
      const change = JSON.parse(event.data);
      if (change.kind === 'uploaded' || change.kind === 'already-on-target' || change.kind === 'failed' || change.kind === 'skipped') {
        removeUpload(change.assetId);
      }
      if (change.kind === 'uploaded' || change.kind === 'already-on-target') {
        awaited.add(change.assetId);
        catchUpAttempt = 0;
      }
      refreshAllSoon();
    });
    events.addEventListener('verdict', () => refreshStatusSoon(0));
    events.addEventListener('stalled', () => refreshStatusSoon(0));
    events.addEventListener('recovered', () => refreshStatusSoon(0));
    events.onerror = () => {
      connection.dataset.connected = 'false';
      connection.textContent = 'Reconnecting…';
      if (events.readyState === EventSource.CLOSED) {
        // Refused for good (the session ended, say): find out whether to log in again.
        checkSession();
      }
    };
  }

  function disconnect() {
    if (events) {
      events.close();
      events = null;
    }
    clearInterval(clusterTimer);
    clusterTimer = null;
    const connection = byId('connection');
    connection.dataset.connected = 'false';
    connection.textContent = 'Not connected';
  }

  function refreshStatusSoon(delay) {
    if (statusTimer === null) {
      statusTimer = setTimeout(() => {
        statusTimer = null;
        refreshStatus();
      }, delay);
    }
  }

  function refreshAllSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refreshAll, 200);
  }

  function refreshAll() {
    refreshStatus();
    refreshRecent();
    refreshHours();
    refreshFreed();
  }

  async function guarded(action) {
    try {
      await action();
    } catch (error) {
      if (error instanceof Unauthorized) {
        showLogin('Your session has ended; log in again.');
      }
    }
  }

  function refreshStatus() {
    return guarded(async () => renderStatus(await api('/api/status')));
  }

  function refreshRecent() {
    return guarded(async () => {
      const page = await api('/api/activity?limit=' + RECENT_LIMIT + '&order=uploaded');
      renderRecent(page);
      page.items.forEach((entry) => awaited.delete(entry.assetId));
      catchUp();
    });
  }

  function refreshHours() {
    return guarded(async () => renderHours(await api('/api/activity/hours')));
  }

  function refreshFreed() {
    return guarded(async () => renderFreed(await api('/api/freed?limit=' + RECENT_LIMIT)));
  }

  function renderFreed(page) {
    byId('freed').replaceChildren(
      ...page.items.map((entry) => {
        const done = entry.action === 'moved' ? 'Moved to ' + shown(entry.movedTo) : 'Deleted';
        const state = entry.state === 'done' ? '' : entry.state === 'abandoned'
          ? ' — not done: ' + shown(entry.detail || '') : ' — cut short; check whether the file is still there';
        const item = pathItem(entry.path, 'reasons', done + ', backed up as ' + shown(entry.remotePath || '?') + state);
        item.dataset.state = entry.state;
        item.append(timeElement('when', entry.at, ' ', false));
        return item;
      }),
    );
    updateEmpty('freed');
  }

  /** Refreshes again, a little later each time, until every announced upload is listed. */
  function catchUp() {
    clearTimeout(catchUpTimer);
    if (awaited.size === 0 || catchUpAttempt >= CATCH_UP_DELAYS.length) {
      awaited.clear();
      catchUpAttempt = 0;
      return;
    }
    catchUpTimer = setTimeout(refreshAll, CATCH_UP_DELAYS[catchUpAttempt]);
    catchUpAttempt += 1;
  }

  async function checkSession() {
    try {
      showDashboard(await api('/api/session'));
    } catch (error) {
      showLogin(error instanceof Unauthorized ? '' : 'Cannot reach autoupload: ' + error.message);
    }
  }

  // ---- rendering ----

  function renderStatus(status) {
    if (clusterTimer === null && events !== null && status.libraries.some((library) => library.node)) {
      clusterTimer = setInterval(refreshAll, CLUSTER_REFRESH_MS);
    }
    const state = byId('state');
    state.dataset.state = status.state;
    state.textContent = STATE_WORDS[status.state] || status.state;

    const reasons = byId('reasons');
    reasons.replaceChildren(
      ...status.reasons.map((reason) => {
        const item = document.createElement('li');
        item.dataset.reason = reason.code;
        item.textContent = reason.text;
        return item;
      }),
      // A library whose backup is down says why on a line of its own; so does a target that changed how it works.
      ...status.libraries.filter((library) => library.down).map((library) => {
        const item = document.createElement('li');
        item.dataset.down = library.id;
        item.textContent = library.id + ' is DOWN: ' + library.down.reason +
          (library.down.restarting ? ' (restarting)' : '');
        return item;
      }),
      // The target's own words for why it stops the library, and when it is tried again.
      ...status.libraries.filter((library) => library.targetError).map((library) => {
        const item = document.createElement('li');
        item.dataset.targetError = library.id;
        item.textContent = shown(library.target) + ': ' + shown(library.targetError) +
          (library.targetRetryAt ? ' — trying again ' + inWords(library.targetRetryAt) : '');
        return item;
      }),
      ...status.libraries.flatMap((library) => library.notes.map((note) => {
        const item = document.createElement('li');
        item.dataset.note = library.id;
        item.textContent = note;
        return item;
      })),
    );

    renderStalls(status.libraries.filter((library) => library.stalled).map((library) => library.stalled));

    // Header and counters from the one count of files, so they always agree.
    const files = status.files;
    const summary = byId('summary');
    summary.dataset.backedUp = String(files.backedUp);
    summary.dataset.found = String(files.found);
    summary.textContent =
      files.backedUp + ' of ' + files.found + ' files found are backed up' +
      (files.failed > 0 ? ', ' + files.failed + ' failed' : '') + '.';
    byId('rate').textContent =
      status.state === 'running' && status.bytesPerSecond > 0 ? formatBytes(status.bytesPerSecond) + '/s' : '';
    // What each library's scan passed over for its extension, in the words `run` prints on stderr:
    // never offered, so not among the files found.
    byId('not-offered').replaceChildren(
      ...status.libraries.filter((library) => library.notOffered.files > 0).map((library) => {
        const item = document.createElement('li');
        item.dataset.notOffered = library.id;
        item.textContent = shown(library.notOffered.text);
        return item;
      }),
    );

    for (const [name, count] of Object.entries(files)) {
      const cell = document.querySelector('#counts [data-count="' + name + '"]');
      if (cell) {
        cell.textContent = String(count);
      }
    }

    byId('pause').disabled = status.state === 'paused';
    byId('resume').disabled = status.state === 'running' || status.state === 'idle';

    const inFlight = status.libraries.flatMap((library) =>
      library.inFlight.map((upload) => Object.assign({ library: library.id }, upload)));
    const live = new Set(inFlight.map((upload) => upload.assetId));
    for (const item of document.querySelectorAll('#uploads .upload')) {
      if (!live.has(item.dataset.assetId)) {
        item.remove();
      }
    }
    inFlight.forEach((upload) => showProgress(upload));
    updateEmpty('uploads');

    renderFailures(status.libraries.flatMap((library) => library.failures));
    const retries = status.libraries.flatMap((library) => library.retries);
    renderRetries(retries);
    const held = status.libraries.flatMap((library) => library.held);
    renderHeld(held);
    if (retries.length > 0 || held.some((file) => file.until) ||
        status.libraries.some((library) => library.targetRetryAt)) {
      // Keeps the "trying again in …" words true while nothing else happens.
      refreshStatusSoon(1000);
    }
  }

  /** "in 28 s", "in 3 min", or "now" for an ISO instant. */
  function inWords(iso) {
    const seconds = Math.ceil((new Date(iso).getTime() - Date.now()) / 1000);
    if (seconds <= 0) {
      return 'now';
    }
    return seconds < 120 ? 'in ' + seconds + ' s' : 'in ' + Math.round(seconds / 60) + ' min';
  }

  /** A list item of a file's path and a line of text about it, the shape of every file list here. */
  function pathItem(filePath, detailClass, detailText) {
    const item = document.createElement('li');
    const path = document.createElement('span');
    path.className = 'path';
    path.textContent = shown(filePath);
    const detail = document.createElement('span');
    detail.className = detailClass;
    detail.textContent = detailText;
    item.append(path, detail);
    return item;
  }

  function renderRetries(retries) {
    byId('retrying').replaceChildren(
      ...retries.map((retry) => {
        const item = pathItem(retry.path, 'error-text',
          'Retrying ' + inWords(retry.at) + ' (attempt ' + (retry.attempts + 1) + '): ' + shown(retry.error));
        item.dataset.assetId = retry.assetId;
        return item;
      }),
    );
    updateEmpty('retrying');
  }

  function renderHeld(held) {
    byId('held').replaceChildren(
      ...held.map((file) => {
        const item = pathItem(file.path, 'reasons',
          file.reasons.map((reason) => reason.text).join('; ') + (file.until ? ' — goes ' + inWords(file.until) : ''));
        item.dataset.assetId = file.assetId;
        return item;
      }),
    );
    updateEmpty('held');
  }

  // A backup that silently stopped is what users notice weeks too late: say it first, loudly.
  function renderStalls(stalls) {
    const banner = byId('stalled');
    banner.hidden = stalls.length === 0;
    banner.replaceChildren(...stalls.map((stall) => {
      const line = document.createElement('p');
      line.dataset.library = stall.library;
      line.dataset.kind = stall.kind;
      const what = stall.kind === 'too-old'
        ? 'the last backup was ' + formatDuration(stall.forSeconds) + ' ago'
        : 'nothing backed up for ' + formatDuration(stall.forSeconds);
      const why = stall.reasons.map((reason) => reason.text).concat(stall.causes);
      line.textContent = 'Backup of ' + stall.library + ' is stalled: ' + what + ', ' + stall.waiting +
        ' file(s) waiting' + (why.length > 0 ? '. ' + why.join('; ') : '') + '.';
      return line;
    }));
  }

  function formatDuration(seconds) {
    if (seconds >= 2 * 86400) {
      return Math.floor(seconds / 86400) + ' days';
    }
    if (seconds >= 2 * 3600) {
      return Math.floor(seconds / 3600) + ' hours';
    }
    if (seconds >= 120) {
      return Math.floor(seconds / 60) + ' minutes';
    }
    return seconds + ' seconds';
  }

  function uploadItem(assetId) {
    for (const item of document.querySelectorAll('#uploads .upload')) {
      if (item.dataset.assetId === assetId) {
        return item;
      }
    }
    return null;
  }

  function showProgress(upload) {
    let item = uploadItem(upload.assetId);
    if (!item) {
      item = document.createElement('li');
      item.className = 'upload';
      item.dataset.assetId = upload.assetId;
      const path = document.createElement('span');
      path.className = 'path';
      const bar = document.createElement('progress');
      bar.max = 100;
      const percent = document.createElement('span');
      percent.className = 'percent';
      const reasons = document.createElement('span');
      reasons.className = 'reasons';
      item.append(path, bar, percent, reasons);
      byId('uploads').append(item);
    }
    const percent = upload.percent;
    item.querySelector('.path').textContent = shown(upload.path);
    const bar = item.querySelector('progress');
    bar.value = percent;
    bar.setAttribute('aria-label', 'Upload of ' + shown(upload.path));
    bar.dataset.offset = String(upload.offset);
    bar.dataset.size = String(upload.size);
    item.querySelector('.percent').textContent =
      percent + '% — ' + formatBytes(upload.offset) + ' of ' + formatBytes(upload.size);
    const pausedFor = upload.pausedFor || [];
    item.querySelector('.reasons').textContent = pausedFor.map((reason) => reason.text).join('; ');
    updateEmpty('uploads');
  }

  function removeUpload(assetId) {
    const item = uploadItem(assetId);
    if (item) {
      item.remove();
    }
    updateEmpty('uploads');
  }

  function renderRecent(page) {
    // The pictures already shown stay, so a refresh of the list does not fetch them again.
    const shownThumbnails = new Map(
      Array.from(document.querySelectorAll('#recent img.thumbnail'), (img) => [img.getAttribute('src'), img]));
    byId('recent').replaceChildren(
      ...page.items.map((entry) => {
        const item = document.createElement('li');
        item.dataset.assetId = entry.assetId;
        item.dataset.library = entry.library;
        const path = document.createElement('span');
        path.className = 'path';
        path.textContent = shown(entry.path);
        if (entry.livePhotoVideo) {
          // The video half of a live photo travels with its still: one item, marked Live.
          const live = document.createElement('span');
          live.className = 'live';
          live.textContent = 'Live';
          live.title = 'Live photo: with ' + shown(entry.livePhotoVideo);
          path.append(' ', live);
        }
        let thumbnail = shownThumbnails.get(entry.thumbnailUrl);
        if (!thumbnail) {
          thumbnail = document.createElement('img');
          thumbnail.className = 'thumbnail';
          thumbnail.alt = '';
          thumbnail.src = entry.thumbnailUrl;
        }
        const uploaded = timeElement('uploaded-at', entry.uploadedAt, 'Uploaded ', false);
        const meta = document.createElement('span');
        meta.className = 'meta';
        meta.append(timeElement('created-at', entry.createdAt, 'Taken ', true), ' · ' + formatBytes(entry.bytes));
        item.append(thumbnail, path, uploaded, meta);
        if (entry.note) {
          // Another file had this name: the user should see that both were kept, or which went.
          const note = document.createElement('span');
          note.className = 'note';
          note.textContent = shown(entry.note);
          item.append(note);
        }
        return item;
      }),
    );
    updateEmpty('recent');
  }

  /** The last hours as an inline SVG: a bar per hour for files backed up, a line for the backlog. */
  function renderHours(data) {
    const width = 480;
    const height = 120;
    const slot = width / data.hours.length;
    const most = Math.max(1, ...data.hours.map((hour) => hour.backedUp), ...data.hours.map((hour) => hour.backlog || 0));
    const y = (value) => height - 14 - (value / most) * (height - 24);
    // The chart's element comes with the page, and with it the SVG namespace its parts need.
    const svg = byId('hours-chart');
    const SVG = svg.namespaceURI;
    const total = data.hours.reduce((sum, hour) => sum + hour.backedUp, 0);
    const latest = data.hours.filter((hour) => hour.backlog !== null).pop();
    svg.setAttribute('aria-label', total + ' files backed up in the last 24 hours' +
      (latest ? '; ' + latest.backlog + ' still to back up' : ''));
    svg.replaceChildren();
    const points = [];
    data.hours.forEach((hour, index) => {
      const bar = document.createElementNS(SVG, 'rect');
      bar.setAttribute('class', 'bar');
      bar.setAttribute('x', String(index * slot + 1));
      bar.setAttribute('width', String(slot - 2));
      bar.setAttribute('y', String(y(hour.backedUp)));
      bar.setAttribute('height', String(height - 14 - y(hour.backedUp)));
      bar.dataset.backedUp = String(hour.backedUp);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = new Date(hour.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) + ': ' +
        hour.backedUp + ' backed up' + (hour.backlog !== null ? ', ' + hour.backlog + ' to go' : '');
      bar.append(title);
      svg.append(bar);
      if (hour.backlog !== null) {
        points.push([index * slot + slot / 2, y(hour.backlog), hour.backlog]);
      }
    });
    if (points.length > 0) {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('class', 'backlog');
      line.setAttribute('points', points.map(([x, top]) => x + ',' + top).join(' '));
      svg.append(line);
      // A dot per hour seen, so a single hour shows too.
      points.forEach(([x, top, backlog]) => {
        const dot = document.createElementNS(SVG, 'circle');
        dot.setAttribute('class', 'backlog-dot');
        dot.setAttribute('cx', String(x));
        dot.setAttribute('cy', String(top));
        dot.setAttribute('r', '3');
        dot.dataset.backlog = String(backlog);
        svg.append(dot);
      });
    }
    const scale = document.createElementNS(SVG, 'text');
    scale.setAttribute('x', '0');
    scale.setAttribute('y', '9');
    scale.textContent = String(most);
    svg.append(scale);
    const axis = document.createElementNS(SVG, 'line');
    axis.setAttribute('class', 'axis');
    axis.setAttribute('x1', '0');
    axis.setAttribute('x2', String(width));
    axis.setAttribute('y1', String(height - 14));
    axis.setAttribute('y2', String(height - 14));
    svg.append(axis);
    [0, data.hours.length - 1].forEach((index) => {
      const label = document.createElementNS(SVG, 'text');
      label.setAttribute('x', String(index === 0 ? 0 : width));
      label.setAttribute('y', String(height - 2));
      label.setAttribute('text-anchor', index === 0 ? 'start' : 'end');
      label.textContent = index === 0 ? '24 h ago' : 'now';
      svg.append(label);
    });
  }

  function renderFailures(failures) {
    byId('failed').replaceChildren(
      ...failures.map((failure) => {
        const item = pathItem(failure.path, 'error-text', shown(failure.error) + ' (' + failure.attempts + ' attempts)');
        item.dataset.assetId = failure.assetId;
        const retry = document.createElement('button');
        retry.type = 'button';
        retry.className = 'retry';
        retry.textContent = 'Retry';
        retry.addEventListener('click', () =>
          act(() => api('/api/uploads/' + encodeURIComponent(failure.assetId) + '/retry', { method: 'POST' })));
        item.append(retry);
        return item;
      }),
    );
    updateEmpty('failed');
  }

  function timeElement(className, iso, prefix, dateOnly) {
    const time = document.createElement('time');
    time.className = className;
    if (iso) {
      const date = new Date(iso);
      time.dateTime = iso;
      time.textContent = prefix + (dateOnly ? date.toLocaleDateString() : date.toLocaleString());
    }
    return time;
  }

  function updateEmpty(listId) {
    byId(listId + '-empty').hidden = byId(listId).children.length > 0;
  }

  function formatBytes(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit === 0 ? String(value) : value.toFixed(1)) + ' ' + units[unit];
  }

  async function act(action) {
    const error = byId('action-error');
    try {
      await action();
      error.hidden = true;
    } catch (failure) {
      if (failure instanceof Unauthorized) {
        showLogin('Your session has ended; log in again.');
        return;
      }
      error.textContent = shown(failure.message);
      error.hidden = false;
    }
    refreshAll();
  }

  document.addEventListener('DOMContentLoaded', () => {
    byId('login-form').addEventListener('submit', login);
    byId('pause').addEventListener('click', () => act(() => api('/api/pause', { method: 'POST' })));
    byId('resume').addEventListener('click', () => act(() => api('/api/resume', { method: 'POST' })));
    byId('logout').addEventListener('click', logout);
    checkSession();
  });
})();
