/*
 * Stripe.js stand-in served by the offline Stripe sandbox (test mode only; no network).
 *
 * Supports: Stripe(publishableKey), stripe.elements({clientSecret}), elements.create('payment'),
 * element.mount(selectorOrElement), element.on/off('ready'|'change'|'focus'|'blur'),
 * element.focus(), element.clear(), element.unmount(), element.destroy(), elements.submit(),
 * elements.getElement('payment'), stripe.confirmPayment({elements, confirmParams, redirect}),
 * stripe.retrievePaymentIntent(clientSecret).
 *
 * Card data never enters this page: the card form is an iframe served by the sandbox, which
 * confirms the PaymentIntent itself; this script and the iframe talk with postMessage and
 * check each other's origin. The script finds the sandbox from its own URL, so it works under
 * any mount point and behind a reverse proxy.
 *
 * As Stripe.js does, confirmPayment shows a card's 3-D Secure challenge in a dialog on the page
 * (an iframe over it), whatever `redirect` says (@stripe/stripe-js: confirmPayment "will attempt
 * to complete any required actions, such as authenticating your user by displaying a 3DS
 * dialog"). Then, with `redirect: 'if_required'`, it resolves with `{paymentIntent}` (succeeded,
 * or processing for a bank debit) or `{error}`; with `redirect: 'always'` a confirmed payment
 * goes to `return_url` with `payment_intent`, `payment_intent_client_secret` and
 * `redirect_status`, and an error resolves `{error}` on the page.
 */
(function () {
  'use strict';

  if (window.Stripe && window.Stripe.sandbox === true) {
    return;
  }

  var script = document.currentScript;
  if (!script || !script.src) {
    if (window.console) {
      window.console.error('Stripe sandbox: load stripe.js with a <script src> element.');
    }
    return;
  }

  // .../M/js/v3/stripe.js -> .../M/
  var BASE = new URL('../../', script.src);
  var SANDBOX_ORIGIN = BASE.origin;
  var MESSAGE_SOURCE = 'stripe-sandbox';
  var FRAME_HEIGHT = 300;
  var frameCount = 0;

  function integrationError(message) {
    var e = new Error(message);
    e.name = 'IntegrationError';
    return e;
  }

  function intentIdFromSecret(secret) {
    if (typeof secret !== 'string') {
      return null;
    }
    var i = secret.indexOf('_secret_');
    return i > 0 ? secret.slice(0, i) : null;
  }

  function connectionError() {
    return {
      type: 'api_connection_error',
      message: 'There was an error connecting to the payment service. Please try again.'
    };
  }

  function withReturnParams(returnUrl, intent, status) {
    var url = new URL(returnUrl, window.location.href);
    url.searchParams.append('payment_intent', intent.id);
    url.searchParams.append('payment_intent_client_secret', intent.client_secret);
    url.searchParams.append('redirect_status', status);
    return url.toString();
  }

  function never() {
    return new Promise(function () {});
  }

  // The words Stripe.js gives a shopper whose 3-D Secure authentication failed. The API's
  // last_payment_error (type invalid_request_error, code payment_intent_authentication_failure)
  // is worded for developers ("The provided PaymentMethod has failed authentication. You can
  // provide payment_method_data or a new PaymentMethod..."); Stripe.js, stripe-android and
  // stripe-ios show this sentence instead.
  var AUTHENTICATION_FAILED =
    'We are unable to authenticate your payment method. Please choose a different payment method and try again.';

  // The error confirmPayment resolves with when the intent failed after its next action: the
  // intent's last_payment_error (its type and code as the API gives them), with the intent.
  function intentError(intent) {
    var source = intent.last_payment_error || {};
    var error = {};
    Object.keys(source).forEach(function (key) { error[key] = source[key]; });
    error.type = error.type || 'invalid_request_error';
    if (error.code === 'payment_intent_authentication_failure') {
      error.message = AUTHENTICATION_FAILED;
    }
    error.payment_intent = intent;
    return error;
  }

  // ---- the 3-D Secure dialog -------------------------------------------------------------

  // Shows the challenge page in a dialog over the page until the shopper answers it; resolves
  // once the page says the authentication is over.
  function authenticateInDialog(challengeUrl) {
    return new Promise(function (resolve) {
      var returnFocus = document.activeElement;
      var overlay = document.createElement('div');
      overlay.style.position = 'fixed';
      overlay.style.top = '0';
      overlay.style.left = '0';
      overlay.style.width = '100%';
      overlay.style.height = '100%';
      overlay.style.background = 'rgba(26, 31, 54, 0.6)';
      overlay.style.display = 'flex';
      overlay.style.alignItems = 'center';
      overlay.style.justifyContent = 'center';
      overlay.style.zIndex = '2147483647';
      var dialog = document.createElement('div');
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      dialog.setAttribute('aria-label', '3D Secure authentication');
      dialog.style.background = '#fff';
      dialog.style.borderRadius = '8px';
      dialog.style.overflow = 'hidden';
      dialog.style.width = 'min(500px, calc(100% - 16px))';
      dialog.style.height = 'min(480px, calc(100% - 16px))';
      dialog.style.boxShadow = '0 8px 32px rgba(0, 0, 0, 0.35)';
      var frame = document.createElement('iframe');
      frame.title = '3D Secure authentication';
      frame.name = '__stripeSandbox3ds';
      frame.style.border = '0';
      frame.style.display = 'block';
      frame.style.width = '100%';
      frame.style.height = '100%';
      var src = new URL(challengeUrl);
      src.searchParams.set('frame', '1');
      src.searchParams.set('origin', window.location.origin);
      frame.src = src.toString();
      function onMessage(event) {
        if (event.origin !== SANDBOX_ORIGIN || event.source !== frame.contentWindow) {
          return;
        }
        var data = event.data;
        if (!data || data.source !== MESSAGE_SOURCE || data.type !== 'authentication-complete') {
          return;
        }
        window.removeEventListener('message', onMessage);
        if (overlay.parentNode) {
          overlay.parentNode.removeChild(overlay);
        }
        if (returnFocus && typeof returnFocus.focus === 'function') {
          returnFocus.focus();
        }
        resolve();
      }
      window.addEventListener('message', onMessage);
      frame.addEventListener('load', function () { frame.focus(); });
      dialog.appendChild(frame);
      overlay.appendChild(dialog);
      document.body.appendChild(overlay);
    });
  }

  // ---- Payment Element -------------------------------------------------------------------

  function PaymentElement(elements, options) {
    this._elements = elements;
    this._options = options || {};
    this._handlers = {};
    this._pending = {};
    this._nextRequest = 1;
    this._queue = [];
    this._ready = false;
    this._iframe = null;
    this._container = null;
    this._listener = this._onMessage.bind(this);
  }

  PaymentElement.prototype.mount = function (target) {
    var container = typeof target === 'string' ? document.querySelector(target) : target;
    if (!container || typeof container.appendChild !== 'function') {
      throw integrationError(
        'The selector you specified (' + String(target) + ') applies to no DOM elements that are currently on the page.'
      );
    }
    if (this._iframe) {
      throw integrationError('This Element is already mounted. Use `unmount` first.');
    }
    frameCount += 1;
    var iframe = document.createElement('iframe');
    iframe.title = 'Secure payment input frame';
    iframe.name = '__stripeSandboxFrame' + frameCount;
    iframe.setAttribute('allow', 'payment');
    iframe.setAttribute('allowtransparency', 'true');
    iframe.style.border = '0';
    iframe.style.display = 'block';
    iframe.style.width = '100%';
    iframe.style.minWidth = '200px';
    iframe.style.height = FRAME_HEIGHT + 'px';
    iframe.style.overflow = 'hidden';

    var src = new URL('elements/payment', BASE);
    src.searchParams.set('origin', window.location.origin);
    src.hash = encodeURIComponent(JSON.stringify({
      key: this._elements._stripe._key,
      clientSecret: this._elements._clientSecret || null
    }));
    iframe.src = src.toString();

    window.addEventListener('message', this._listener);
    container.appendChild(iframe);
    this._iframe = iframe;
    this._container = container;
    return this;
  };

  PaymentElement.prototype.unmount = function () {
    if (this._iframe && this._iframe.parentNode) {
      this._iframe.parentNode.removeChild(this._iframe);
    }
    window.removeEventListener('message', this._listener);
    this._iframe = null;
    this._ready = false;
    this._queue = [];
    return this;
  };

  PaymentElement.prototype.destroy = function () {
    this.unmount();
    if (this._elements._payment === this) {
      this._elements._payment = null;
    }
  };

  PaymentElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    if (event === 'ready' && this._ready) {
      handler({ elementType: 'payment' });
    }
    return this;
  };

  PaymentElement.prototype.off = function (event, handler) {
    var list = this._handlers[event] || [];
    this._handlers[event] = handler ? list.filter(function (h) { return h !== handler; }) : [];
    return this;
  };

  PaymentElement.prototype.once = function (event, handler) {
    var self = this;
    function wrapped(e) {
      self.off(event, wrapped);
      handler(e);
    }
    return this.on(event, wrapped);
  };

  PaymentElement.prototype.focus = function () {
    this._send({ type: 'focus' });
  };

  PaymentElement.prototype.blur = function () {
    this._send({ type: 'blur' });
  };

  PaymentElement.prototype.clear = function () {
    this._send({ type: 'clear' });
  };

  PaymentElement.prototype.update = function () {};

  PaymentElement.prototype.collapse = function () {};

  PaymentElement.prototype._emit = function (event, payload) {
    var list = (this._handlers[event] || []).slice();
    for (var i = 0; i < list.length; i += 1) {
      try {
        list[i](payload);
      } catch (e) {
        setTimeout(function () { throw e; });
      }
    }
  };

  PaymentElement.prototype._send = function (message) {
    message.source = MESSAGE_SOURCE;
    if (!this._iframe) {
      return false;
    }
    if (!this._ready) {
      this._queue.push(message);
      return true;
    }
    this._iframe.contentWindow.postMessage(message, SANDBOX_ORIGIN);
    return true;
  };

  PaymentElement.prototype._request = function (type, payload) {
    var self = this;
    return new Promise(function (resolve) {
      var id = self._nextRequest;
      self._nextRequest += 1;
      self._pending[id] = resolve;
      var message = payload || {};
      message.type = type;
      message.id = id;
      if (!self._send(message)) {
        delete self._pending[id];
        resolve({ error: { type: 'validation_error', message: 'The payment form is not mounted.' } });
      }
    });
  };

  PaymentElement.prototype._onMessage = function (event) {
    if (!this._iframe || event.origin !== SANDBOX_ORIGIN || event.source !== this._iframe.contentWindow) {
      return;
    }
    var data = event.data;
    if (!data || data.source !== MESSAGE_SOURCE) {
      return;
    }
    switch (data.type) {
      case 'ready':
        this._ready = true;
        var queued = this._queue;
        this._queue = [];
        for (var i = 0; i < queued.length; i += 1) {
          this._iframe.contentWindow.postMessage(queued[i], SANDBOX_ORIGIN);
        }
        this._emit('ready', { elementType: 'payment' });
        break;
      case 'resize':
        if (typeof data.height === 'number' && data.height > 0 && data.height < 2000) {
          this._iframe.style.height = Math.ceil(data.height) + 'px';
        }
        break;
      case 'change':
        this._emit('change', {
          elementType: 'payment',
          complete: !!data.complete,
          empty: !!data.empty,
          collapsed: false,
          value: { type: (data.value && data.value.type) || 'card' },
          error: data.error || undefined
        });
        break;
      case 'focus':
      case 'blur':
        this._emit(data.type, { elementType: 'payment' });
        break;
      case 'result':
        var resolve = this._pending[data.id];
        if (resolve) {
          delete this._pending[data.id];
          resolve(data.result || {});
        }
        break;
      default:
        break;
    }
  };

  // ---- Elements --------------------------------------------------------------------------

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._clientSecret = options.clientSecret || null;
    this._payment = null;
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'payment') {
      throw integrationError('The Stripe sandbox only provides the "payment" Element, not "' + type + '".');
    }
    if (this._payment) {
      throw integrationError('Can only create one Element of type payment.');
    }
    this._payment = new PaymentElement(this, options);
    return this._payment;
  };

  Elements.prototype.getElement = function (type) {
    return type === 'payment' ? this._payment : null;
  };

  Elements.prototype.update = function (options) {
    if (options && options.clientSecret) {
      this._clientSecret = options.clientSecret;
    }
  };

  Elements.prototype.fetchUpdates = function () {
    return Promise.resolve({});
  };

  Elements.prototype.submit = function () {
    if (!this._payment) {
      return Promise.resolve({
        error: { type: 'validation_error', message: 'No payment Element is mounted.' }
      });
    }
    return this._payment._request('validate', {}).then(function (result) {
      return result.error ? { error: result.error } : {};
    });
  };

  // ---- Stripe ----------------------------------------------------------------------------

  function Stripe(key) {
    if (!(this instanceof Stripe)) {
      return new Stripe(key);
    }
    if (typeof key !== 'string' || key.indexOf('pk_') !== 0) {
      throw integrationError(
        'Invalid value for Stripe(): apiKey should be a publishable key (pk_test_...).'
      );
    }
    this._key = key;
  }

  Stripe.sandbox = true;

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options || {});
  };

  Stripe.prototype._intentAfterAction = function (clientSecret) {
    return this.retrievePaymentIntent(clientSecret).then(function (result) {
      if (result.error) {
        return result;
      }
      var intent = result.paymentIntent;
      if (intent.status === 'requires_payment_method' && intent.last_payment_error) {
        return { error: intentError(intent) };
      }
      return result;
    });
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var id = intentIdFromSecret(clientSecret);
    if (!id) {
      return Promise.reject(integrationError(
        'Invalid value for retrievePaymentIntent: clientSecret should be a client secret of the form ${id}_secret_${secret}.'
      ));
    }
    var url = new URL('v1/payment_intents/' + encodeURIComponent(id), BASE);
    url.searchParams.set('client_secret', clientSecret);
    url.searchParams.set('key', this._key);
    return fetch(url.toString(), { method: 'GET', credentials: 'omit' })
      .then(function (response) {
        return response.json().then(function (body) {
          return response.ok ? { paymentIntent: body } : { error: body.error };
        });
      })
      .catch(function () {
        return { error: connectionError() };
      });
  };

  Stripe.prototype.confirmPayment = function (options) {
    options = options || {};
    var elements = options.elements;
    if (!elements || !(elements instanceof Elements) || !elements._payment || !elements._payment._iframe) {
      return Promise.reject(integrationError(
        'stripe.confirmPayment(): expected `elements` to be an Elements instance with a mounted payment Element.'
      ));
    }
    var confirmParams = options.confirmParams || {};
    var redirect = options.redirect || 'always';
    if (redirect !== 'always' && redirect !== 'if_required') {
      return Promise.reject(integrationError(
        "stripe.confirmPayment(): `redirect` must be 'always' or 'if_required'."
      ));
    }
    if (redirect === 'always' && !confirmParams.return_url) {
      return Promise.reject(integrationError(
        "stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: 'if_required'`"
      ));
    }
    if (options.clientSecret) {
      elements._clientSecret = options.clientSecret;
    }
    var returnUrl = confirmParams.return_url
      ? new URL(confirmParams.return_url, window.location.href).toString()
      : null;
    var pmData = confirmParams.payment_method_data || {};
    var self = this;
    var clientSecret = elements._clientSecret;
    function finish(intent) {
      if (redirect === 'if_required' || !returnUrl) {
        return { paymentIntent: intent };
      }
      var status = intent.status === 'succeeded' || intent.status === 'processing'
        ? intent.status : 'failed';
      window.location.assign(withReturnParams(returnUrl, intent, status));
      return never();
    }
    return elements._payment._request('confirm', {
      clientSecret: clientSecret,
      returnUrl: returnUrl,
      receiptEmail: confirmParams.receipt_email || null,
      billingDetails: pmData.billing_details || null
    }).then(function (result) {
      if (result.error) {
        return { error: result.error };
      }
      var intent = result.paymentIntent;
      if (intent.status === 'requires_action' && intent.next_action &&
          intent.next_action.type === 'redirect_to_url') {
        return authenticateInDialog(intent.next_action.redirect_to_url.url)
          .then(function () { return self._intentAfterAction(clientSecret); })
          .then(function (after) {
            return after.error ? { error: after.error } : finish(after.paymentIntent);
          });
      }
      return finish(intent);
    });
  };

  window.Stripe = Stripe;
})();
