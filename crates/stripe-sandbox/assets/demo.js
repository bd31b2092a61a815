/* The Stripe sandbox's demo payment page: the same calls as a shop's payment page. With
 * `redirect: 'if_required'` the outcome shows here; with 'always' Stripe.js goes to the return
 * page. */
(function () {
  'use strict';
  var form = document.getElementById('payment-form');
  var message = document.getElementById('payment-message');
  var outcome = document.getElementById('payment-result');
  var button = document.getElementById('pay');
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create('payment').mount('#payment-element');

  var WORDS = {
    succeeded: 'Payment succeeded.',
    processing: 'Payment processing: the bank debit settles in a moment.'
  };

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = '';
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: new URL('_demo/return', window.location.href).toString() },
      redirect: form.dataset.redirect
    }).then(function (result) {
      if (result.error) {
        message.textContent = result.error.message;
        button.disabled = false;
        return;
      }
      var intent = result.paymentIntent;
      outcome.textContent = (WORDS[intent.status] || 'Payment ' + intent.status + '.') +
        ' PaymentIntent ' + intent.id + ' is ' + intent.status + '.';
    });
  });
})();
