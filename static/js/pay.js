// The payment page: mounts Stripe's Payment Element and confirms the PaymentIntent. On success
// Stripe.js redirects to the return URL, where the server reads the outcome from Stripe.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) return;
  var message = document.getElementById("payment-message");
  var button = document.getElementById("pay-button");

  function show(text) {
    message.textContent = text;
    message.hidden = false;
  }

  if (typeof window.Stripe !== "function") {
    show("The secure card form could not load. Check your connection and reload the page.");
    button.disabled = true;
    return;
  }

  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var paymentElement = elements.create("payment");
  // The "Loading…" placeholder goes once the card form is there (mount keeps the container's
  // children).
  paymentElement.on("ready", function () {
    var placeholder = document.querySelector("#payment-element > .hint");
    if (placeholder) placeholder.remove();
  });
  paymentElement.mount("#payment-element");

  // Tells the shop the shopper is paying now, so that it holds the items long enough for the
  // payment (3-D Secure, another card). A network failure here does not stop the payment.
  function startPaying() {
    var body = new URLSearchParams({ csrf_token: form.dataset.csrfToken });
    return fetch(form.dataset.payingUrl, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.status !== 409; })
      .catch(function () { return true; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    startPaying()
      .then(function (payable) {
        if (!payable) {
          show("This order's reservation has ended, so it can no longer be paid. Your cart still has the items: check out again.");
          return null;
        }
        return stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } });
      })
      .then(function (result) {
        // Only reached when the payment could not go ahead; otherwise the page has moved on.
        if (result && result.error) {
          var error = result.error;
          show(error.type === "card_error" || error.type === "validation_error"
            ? error.message
            : "Something went wrong with the payment. Please try again.");
          button.disabled = false;
        }
      })
      .catch(function () {
        show("Something went wrong with the payment. Please try again.");
        button.disabled = false;
      });
  });
})();
