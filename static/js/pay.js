// The payment page: mounts Stripe's Payment Element and confirms the PaymentIntent with
// `redirect: "if_required"`, as Stripe recommends for cards: a card payment — 3-D Secure
// included, which Stripe.js shows in a dialog on this page — finishes here, and a decline or a
// failed authentication is shown by the form at once. The shopper then goes to the return
// page, which reads the outcome from Stripe on the server. A payment method that must leave
// the page to be authorised is sent there by Stripe.js, which brings the shopper back to the
// same return page.
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
    show("The secure payment form could not load. Check your connection and reload the page.");
    button.disabled = true;
    return;
  }

  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var paymentElement = elements.create("payment");
  // The "Loading…" placeholder goes once the form is there (mount keeps the container's
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

  // Stripe's words for the shopper: a decline (`card_error`), what the form found wrong
  // (`validation_error`), and a failed 3-D Secure authentication, which the API types
  // `invalid_request_error` with code `payment_intent_authentication_failure` and Stripe.js
  // words for the shopper. Anything else is not the shopper's to fix.
  function shopperMessage(error) {
    var forShopper = error.type === "card_error" ||
      error.type === "validation_error" ||
      error.code === "payment_intent_authentication_failure";
    return forShopper && error.message
      ? error.message
      : "Something went wrong with the payment. Please try again.";
  }

  // Where Stripe.js would have redirected: the return page, told which PaymentIntent.
  function goToReturnPage(intent) {
    var url = new URL(form.dataset.returnUrl, window.location.href);
    url.searchParams.set("payment_intent", intent.id);
    window.location.assign(url.toString());
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
        return stripe.confirmPayment({
          elements: elements,
          confirmParams: { return_url: form.dataset.returnUrl },
          redirect: "if_required"
        });
      })
      .then(function (result) {
        if (!result) {
          return;
        }
        if (result.error) {
          show(shopperMessage(result.error));
          button.disabled = false;
          return;
        }
        // Paid, or processing (a bank debit): the return page says which.
        goToReturnPage(result.paymentIntent);
      })
      .catch(function () {
        show("Something went wrong with the payment. Please try again.");
        button.disabled = false;
      });
  });
})();
