/* The sandbox's hosted Checkout page: the Payment Element for the session's PaymentIntent. A
 * decline or a failed authentication shows Stripe's message here; once paid (or a bank debit
 * submitted) the page goes to `done`, which sends the shopper to the session's success_url. */
(function () {
  'use strict';
  var form = document.getElementById('checkout-form');
  var message = document.getElementById('payment-message');
  var button = document.getElementById('pay');
  var done = new URL(form.dataset.done, window.location.href).toString();
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create('payment').mount('#payment-element');

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    message.textContent = '';
    stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: done },
      redirect: 'if_required'
    }).then(function (result) {
      if (result.error) {
        message.textContent = result.error.message;
        button.disabled = false;
        return;
      }
      window.location.assign(done);
    });
  });
})();
