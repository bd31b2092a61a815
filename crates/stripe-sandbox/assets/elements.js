/*
 * The card form of the Stripe sandbox's Payment Element. It runs in an iframe served by the
 * sandbox, validates the card as Stripe.js does, and confirms the PaymentIntent with the
 * sandbox's API itself: card data never reaches the page that embeds it. It answers only
 * messages from its parent window at the origin given in its URL.
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

  var form = document.getElementById('card-form');
  var number = document.getElementById('card-number');
  var expiry = document.getElementById('card-expiry');
  var cvc = document.getElementById('card-cvc');
  var zip = document.getElementById('postal-code');
  var errors = document.getElementById('card-errors');
  var fields = [number, expiry, cvc, zip];
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

  var checks = [[number, checkNumber], [expiry, checkExpiry], [cvc, checkCvc], [zip, checkZip]];

  function firstProblem() {
    for (var i = 0; i < checks.length; i += 1) {
      var problem = checks[i][1]();
      if (problem) {
        return problem;
      }
    }
    return null;
  }

  function show(problem) {
    for (var i = 0; i < fields.length; i += 1) {
      fields[i].removeAttribute('aria-invalid');
    }
    if (problem) {
      problem.field.setAttribute('aria-invalid', 'true');
      errors.textContent = problem.message;
    } else {
      errors.textContent = '';
    }
  }

  function isEmpty() {
    return fields.every(function (f) { return f.value.trim() === ''; });
  }

  function reportChange() {
    var problem = firstProblem();
    post({
      type: 'change',
      complete: !problem,
      empty: isEmpty(),
      error: null
    });
  }

  function resize() {
    // The body's own height: the document's scrollHeight never goes below the frame's height.
    post({ type: 'resize', height: Math.ceil(document.body.getBoundingClientRect().height) + 2 });
  }

  // ---- confirming ----

  function setBusy(value) {
    busy = value;
    for (var i = 0; i < fields.length; i += 1) {
      fields[i].disabled = value;
    }
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
    var exp = digits(expiry.value);
    var body = new URLSearchParams();
    body.append('key', config.key || '');
    body.append('client_secret', clientSecret);
    body.append('payment_method_data[type]', 'card');
    body.append('payment_method_data[card][number]', digits(number.value));
    body.append('payment_method_data[card][exp_month]', exp.slice(0, 2));
    body.append('payment_method_data[card][exp_year]', '20' + exp.slice(2, 4));
    body.append('payment_method_data[card][cvc]', digits(cvc.value));
    body.append('payment_method_data[billing_details][address][postal_code]', zip.value.trim());
    var billing = message.billingDetails || {};
    if (typeof billing.name === 'string') {
      body.append('payment_method_data[billing_details][name]', billing.name);
    }
    if (typeof billing.email === 'string') {
      body.append('payment_method_data[billing_details][email]', billing.email);
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

  checks.forEach(function (pair) {
    pair[0].addEventListener('blur', function () {
      if (pair[0].value.trim() !== '') {
        var problem = pair[1]();
        if (problem || errors.textContent) {
          show(problem || firstProblemShown());
        }
      }
      post({ type: 'blur' });
    });
    pair[0].addEventListener('focus', function () { post({ type: 'focus' }); });
  });

  // After a field is fixed, show the next problem among fields already filled in.
  function firstProblemShown() {
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

  form.addEventListener('submit', function (event) {
    event.preventDefault();
  });

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
        number.focus();
        break;
      case 'blur':
        if (document.activeElement && document.activeElement.blur) {
          document.activeElement.blur();
        }
        break;
      case 'clear':
        fields.forEach(function (f) { f.value = ''; });
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
})();
