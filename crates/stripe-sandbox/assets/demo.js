/* The Stripe sandbox's demo payment page: the same calls as a shop's payment page. */
(function () {
  'use strict';
  var form = document.getElementById('payment-form');
  var message = document.getElementById('payment-message');
  var button = document.getElementById('pay');
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create('payment').mount('#payment-element');

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = '';
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: new URL('_demo/return', window.location.href).toString() }
    }).then(function (result) {
      if (result.error) {
        message.textContent = result.error.message;
        button.disabled = false;
      }
    });
  });
})();
