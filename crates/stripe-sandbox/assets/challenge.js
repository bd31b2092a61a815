/* The 3-D Secure page in the Stripe.js stand-in's dialog: tells the page that opened the dialog
 * (and only that origin) that the shopper answered, so that it closes the dialog and reads the
 * PaymentIntent's outcome. */
(function () {
  'use strict';
  var script = document.currentScript;
  var origin = script && script.dataset.origin;
  if (origin && window.parent !== window) {
    window.parent.postMessage({ source: 'stripe-sandbox', type: 'authentication-complete' }, origin);
  }
})();
