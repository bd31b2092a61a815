/*
 * The form of the Stripe sandbox's Payment Element. It runs in an iframe served by the
 * sandbox, offers the payment methods of the PaymentIntent that the sandbox simulates (a card;
 * SEPA Debit for euros, as a tab like Stripe's), validates what the shopper types as Stripe.js
 * does, and confirms the PaymentIntent with the sandbox's API itself: card and account data
 * never reach the page that embeds it. It answers only messages from its parent window at the
 * origin given in its URL.
 */
(function () {
  'use strict';

  var MESSAGE_SOURCE = 'stripe-sandbox';
  var query = new URLSearchParams(window.location.search);
  var parentOrigin = query.get('origin');
  var config = {};
  try {
    config = JSON.parse(decodeURIComponent(window.location.hash.slice(1))) || {};
  } catch (e) {
    config = {};
  }
  var apiBase = new URL('../v1/', window.location.href);

  var number = document.getElementById('card-number');
  var expiry = document.getElementById('card-expiry');
  var cvc = document.getElementById('card-cvc');
  var zip = document.getElementById('postal-code');
  var holder = document.getElementById('sepa-name');
  var email = document.getElementById('sepa-email');
  var iban = document.getElementById('sepa-iban');
  var tabs = document.getElementById('methods');
  var busy = false;

  function post(message) {
    if (!parentOrigin || window.parent === window) {
      return;
    }
    message.source = MESSAGE_SOURCE;
    window.parent.postMessage(message, parentOrigin);
  }

  function digits(s) {
    return String(s || '').replace(/\D/g, '');
  }

  function isAmex(n) {
    return /^3[47]/.test(n);
  }

  function luhn(n) {
    var sum = 0;
    for (var i = 0; i < n.length; i += 1) {
      var d = n.charCodeAt(n.length - 1 - i) - 48;
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return sum % 10 === 0;
  }

  // ---- formatting as the shopper types ----

  function formatNumber() {
    var n = digits(number.value).slice(0, isAmex(digits(number.value)) ? 15 : 19);
    var groups = isAmex(n) ? [4, 6, 5] : [4, 4, 4, 4, 3];
    var out = [];
    var at = 0;
    for (var g = 0; g < groups.length && at < n.length; g += 1) {
      out.push(n.slice(at, at + groups[g]));
      at += groups[g];
    }
    number.value = out.join(' ');
  }

  function formatExpiry(event) {
    var d = digits(expiry.value).slice(0, 4);
    if (d.length === 1 && d > '1') {
      d = '0' + d;
    }
    var deleting = event && event.inputType && event.inputType.indexOf('delete') === 0;
    if (d.length > 2 || (d.length === 2 && !deleting)) {
      expiry.value = d.slice(0, 2) + ' / ' + d.slice(2);
    } else {
      expiry.value = d;
    }
  }

  function formatCvc() {
    cvc.value = digits(cvc.value).slice(0, 4);
  }

  function formatZip() {
    zip.value = zip.value.replace(/[^0-9A-Za-z -]/g, '').slice(0, 10);
  }

  // ---- validation, with Stripe.js's codes and messages ----

  function checkNumber() {
    var n = digits(number.value);
    var expected = isAmex(n) ? 15 : 16;
    if (n.length < expected) {
      return { field: number, code: 'incomplete_number', message: 'Your card number is incomplete.' };
    }
    if (!luhn(n)) {
      return { field: number, code: 'invalid_number', message: 'Your card number is invalid.' };
    }
    return null;
  }

  function checkExpiry() {
    var d = digits(expiry.value);
    if (d.length < 4) {
      return { field: expiry, code: 'incomplete_expiry', message: "Your card's expiration date is incomplete." };
    }
    var month = parseInt(d.slice(0, 2), 10);
    var year = 2000 + parseInt(d.slice(2, 4), 10);
    var now = new Date();
    var thisYear = now.getFullYear();
    if (month < 1 || month > 12) {
      return { field: expiry, code: 'invalid_expiry_month', message: "Your card's expiration date is invalid." };
    }
    if (year < thisYear) {
      return { field: expiry, code: 'invalid_expiry_year_past', message: "Your card's expiration year is in the past." };
    }
    if (year === thisYear && month < now.getMonth() + 1) {
      return { field: expiry, code: 'invalid_expiry_month_past', message: "Your card's expiration date is in the past." };
    }
    if (year > thisYear + 50) {
      return { field: expiry, code: 'invalid_expiry_year', message: "Your card's expiration year is invalid." };
    }
    return null;
  }

  function checkCvc() {
    var need = isAmex(digits(number.value)) ? 4 : 3;
    if (digits(cvc.value).length < need) {
      return { field: cvc, code: 'incomplete_cvc', message: "Your card's security code is incomplete." };
    }
    return null;
  }

  function checkZip() {
    var z = zip.value.trim();
    if (!z || (/^\d+$/.test(z) && z.length < 5)) {
      return { field: zip, code: 'incomplete_zip', message: 'Your ZIP is incomplete.' };
    }
    return null;
  }

  // SEPA countries and the length of their IBANs (ISO 13616).
  var IBAN_LENGTHS = {
    AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24,
    FI: 18, FR: 27, GB: 22, GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21,
    LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25, RO: 24, SE: 24,
    SI: 19, SK: 24, SM: 27, VA: 22
  };

  function ibanValue() {
    return iban.value.replace(/\s/g, '').toUpperCase();
  }

  function ibanChecksumValid(value) {
    var rearranged = value.slice(4) + value.slice(0, 4);
    var remainder = 0;
    for (var i = 0; i < rearranged.length; i += 1) {
      var digit = parseInt(rearranged.charAt(i), 36);
      if (isNaN(digit)) {
        return false;
      }
      remainder = (remainder * (digit < 10 ? 10 : 100) + digit) % 97;
    }
    return remainder === 1;
  }

  function checkHolder() {
    if (holder.value.trim() === '') {
      return { field: holder, code: 'incomplete_name', message: 'Your name is incomplete.' };
    }
    return null;
  }

  function checkEmail() {
    var value = email.value.trim();
    if (value === '') {
      return { field: email, code: 'incomplete_email', message: 'Your email is incomplete.' };
    }
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      return { field: email, code: 'invalid_email', message: 'Your email address is invalid.' };
    }
    return null;
  }

  function checkIban() {
    var value = ibanValue();
    var expected = IBAN_LENGTHS[value.slice(0, 2)];
    if (value.length < (expected || 15)) {
      return { field: iban, code: 'incomplete_iban', message: 'Your IBAN is incomplete.' };
    }
    if (!expected || value.length !== expected || !/^[A-Z0-9]+$/.test(value) || !ibanChecksumValid(value)) {
      return { field: iban, code: 'invalid_iban', message: 'Your IBAN is invalid.' };
    }
    return null;
  }

  function formatIban() {
    var value = iban.value.replace(/[^0-9A-Za-z]/g, '').toUpperCase().slice(0, 34);
    iban.value = value.replace(/(.{4})(?=.)/g, '$1 ');
  }

  // Each payment method: its tab, its form, its fields in order with their checks, where its
  // errors show.
  var methods = {
    card: {
      form: document.getElementById('card-form'),
      errors: document.getElementById('card-errors'),
      checks: [[number, checkNumber], [expiry, checkExpiry], [cvc, checkCvc], [zip, checkZip]]
    },
    sepa_debit: {
      form: document.getElementById('sepa-form'),
      errors: document.getElementById('sepa-errors'),
      checks: [[holder, checkHolder], [email, checkEmail], [iban, checkIban]]
    }
  };
  var current = 'card';

  function method() {
    return methods[current];
  }

  function fieldsOf(m) {
    return m.checks.map(function (pair) { return pair[0]; });
  }

  function firstProblem() {
    var checks = method().checks;
    for (var i = 0; i < checks.length; i += 1) {
      var problem = checks[i][1]();
      if (problem) {
        return problem;
      }
    }
    return null;
  }

  function show(problem) {
    var m = method();
    fieldsOf(m).forEach(function (f) { f.removeAttribute('aria-invalid'); });
    if (problem) {
      problem.field.setAttribute('aria-invalid', 'true');
      m.errors.textContent = problem.message;
    } else {
      m.errors.textContent = '';
    }
  }

  function isEmpty() {
    return fieldsOf(method()).every(function (f) { return f.value.trim() === ''; });
  }

  function reportChange() {
    var problem = firstProblem();
    post({
      type: 'change',
      complete: !problem,
      empty: isEmpty(),
      value: { type: current },
      error: null
    });
  }

  // ---- payment method tabs, as Stripe's Payment Element shows them ----

  function select(name) {
    if (!methods[name] || busy) {
      return;
    }
    current = name;
    Object.keys(methods).forEach(function (key) {
      var selected = key === name;
      methods[key].form.hidden = !selected;
      var tab = document.getElementById('tab-' + key);
      tab.setAttribute('aria-selected', selected ? 'true' : 'false');
      tab.tabIndex = selected ? 0 : -1;
    });
    reportChange();
    resize();
  }

  // The tabs the PaymentIntent's payment_method_types allow; a single method has no tabs.
  function showMethods(types) {
    var offered = Object.keys(methods).filter(function (key) {
      var allowed = types.indexOf(key) >= 0;
      document.getElementById('tab-' + key).hidden = !allowed;
      return allowed;
    });
    tabs.hidden = offered.length < 2;
    if (offered.length > 0 && offered.indexOf(current) < 0) {
      select(offered[0]);
    }
    resize();
  }

  function loadMethods() {
    var clientSecret = config.clientSecret;
    var secretAt = typeof clientSecret === 'string' ? clientSecret.indexOf('_secret_') : -1;
    if (secretAt <= 0) {
      return;
    }
    var url = new URL('payment_intents/' + encodeURIComponent(clientSecret.slice(0, secretAt)), apiBase);
    url.searchParams.set('client_secret', clientSecret);
    url.searchParams.set('key', config.key || '');
    fetch(url.toString(), { credentials: 'omit' })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (intent) {
        if (intent && Array.isArray(intent.payment_method_types)) {
          showMethods(intent.payment_method_types);
        }
      })
      .catch(function () {});
  }

  Array.prototype.forEach.call(tabs.querySelectorAll('[role="tab"]'), function (tab) {
    tab.addEventListener('click', function () {
      select(tab.dataset.method);
      post({ type: 'focus' });
    });
    tab.addEventListener('keydown', function (event) {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') {
        return;
      }
      var visible = Array.prototype.filter.call(
        tabs.querySelectorAll('[role="tab"]'),
        function (t) { return !t.hidden; }
      );
      var at = visible.indexOf(tab) + (event.key === 'ArrowRight' ? 1 : -1);
      var next = visible[(at + visible.length) % visible.length];
      select(next.dataset.method);
      next.focus();
      event.preventDefault();
    });
  });

  function resize() {
    // The body's own height: the document's scrollHeight never goes below the frame's height.
    post({ type: 'resize', height: Math.ceil(document.body.getBoundingClientRect().height) + 2 });
  }

  // ---- confirming ----

  function setBusy(value) {
    busy = value;
    fieldsOf(method()).forEach(function (f) { f.disabled = value; });
  }

  function validationError(problem) {
    return { type: 'validation_error', code: problem.code, message: problem.message };
  }

  function confirm(message) {
    var problem = firstProblem();
    show(problem);
    if (problem) {
      problem.field.focus();
      return Promise.resolve({ error: validationError(problem) });
    }
    var clientSecret = message.clientSecret || config.clientSecret;
    var secretAt = typeof clientSecret === 'string' ? clientSecret.indexOf('_secret_') : -1;
    if (secretAt <= 0) {
      return Promise.resolve({
        error: { type: 'invalid_request_error', message: 'The Payment Element was created without a valid clientSecret.' }
      });
    }
    var intentId = clientSecret.slice(0, secretAt);
    var body = new URLSearchParams();
    body.append('key', config.key || '');
    body.append('client_secret', clientSecret);
    var billing = message.billingDetails || {};
    if (current === 'sepa_debit') {
      body.append('payment_method_data[type]', 'sepa_debit');
      body.append('payment_method_data[sepa_debit][iban]', ibanValue());
      body.append('payment_method_data[billing_details][name]', holder.value.trim());
      body.append('payment_method_data[billing_details][email]', email.value.trim());
      // The shopper accepted the mandate shown under the form; Stripe.js lets Stripe infer
      // the IP address and user agent from the request.
      body.append('mandate_data[customer_acceptance][type]', 'online');
      body.append('mandate_data[customer_acceptance][online][infer_from_client]', 'true');
    } else {
      var exp = digits(expiry.value);
      body.append('payment_method_data[type]', 'card');
      body.append('payment_method_data[card][number]', digits(number.value));
      body.append('payment_method_data[card][exp_month]', exp.slice(0, 2));
      body.append('payment_method_data[card][exp_year]', '20' + exp.slice(2, 4));
      body.append('payment_method_data[card][cvc]', digits(cvc.value));
      body.append('payment_method_data[billing_details][address][postal_code]', zip.value.trim());
      if (typeof billing.name === 'string') {
        body.append('payment_method_data[billing_details][name]', billing.name);
      }
      if (typeof billing.email === 'string') {
        body.append('payment_method_data[billing_details][email]', billing.email);
      }
    }
    if (message.returnUrl) {
      body.append('return_url', message.returnUrl);
    }
    if (message.receiptEmail) {
      body.append('receipt_email', message.receiptEmail);
    }
    setBusy(true);
    var url = new URL('payment_intents/' + encodeURIComponent(intentId) + '/confirm', apiBase);
    return fetch(url.toString(), {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString()
    }).then(function (response) {
      return response.json().then(function (json) {
        return response.ok ? { paymentIntent: json } : { error: json.error };
      });
    }).catch(function () {
      return {
        error: {
          type: 'api_connection_error',
          message: 'There was an error connecting to the payment service. Please try again.'
        }
      };
    }).then(function (result) {
      setBusy(false);
      return result;
    });
  }

  // ---- wiring ----

  number.addEventListener('input', function () { formatNumber(); reportChange(); });
  expiry.addEventListener('input', function (e) { formatExpiry(e); reportChange(); });
  cvc.addEventListener('input', function () { formatCvc(); reportChange(); });
  zip.addEventListener('input', function () { formatZip(); reportChange(); });
  holder.addEventListener('input', reportChange);
  email.addEventListener('input', reportChange);
  iban.addEventListener('input', function () { formatIban(); reportChange(); });

  Object.keys(methods).forEach(function (key) {
    var m = methods[key];
    m.checks.forEach(function (pair) {
      pair[0].addEventListener('blur', function () {
        if (pair[0].value.trim() !== '') {
          var problem = pair[1]();
          if (problem || m.errors.textContent) {
            show(problem || firstProblemShown());
          }
        }
        post({ type: 'blur' });
      });
      pair[0].addEventListener('focus', function () { post({ type: 'focus' }); });
    });
    m.form.addEventListener('submit', function (event) {
      event.preventDefault();
    });
  });

  // After a field is fixed, show the next problem among fields already filled in.
  function firstProblemShown() {
    var checks = method().checks;
    for (var i = 0; i < checks.length; i += 1) {
      if (checks[i][0].value.trim() !== '') {
        var problem = checks[i][1]();
        if (problem) {
          return problem;
        }
      }
    }
    return null;
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) {
      return;
    }
    var data = event.data;
    if (!data || data.source !== MESSAGE_SOURCE) {
      return;
    }
    function reply(result) {
      post({ type: 'result', id: data.id, result: result });
      resize();
    }
    switch (data.type) {
      case 'confirm':
        if (busy) {
          reply({ error: { type: 'validation_error', message: 'A payment is already being confirmed.' } });
        } else {
          confirm(data).then(reply);
        }
        break;
      case 'validate':
        var problem = firstProblem();
        show(problem);
        reply(problem ? { error: validationError(problem) } : {});
        break;
      case 'focus':
        fieldsOf(method())[0].focus();
        break;
      case 'blur':
        if (document.activeElement && document.activeElement.blur) {
          document.activeElement.blur();
        }
        break;
      case 'clear':
        Object.keys(methods).forEach(function (key) {
          fieldsOf(methods[key]).forEach(function (f) { f.value = ''; });
        });
        show(null);
        reportChange();
        break;
      default:
        break;
    }
  });

  if (window.ResizeObserver) {
    new window.ResizeObserver(resize).observe(document.body);
  }
  resize();
  post({ type: 'ready' });
  loadMethods();
})();
