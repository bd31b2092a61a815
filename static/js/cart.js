// The cart sends a line's new quantity as soon as it is changed (arrows, or typing and leaving
// the field), so no "Update" press is needed. Without JavaScript the Update buttons do it.
for (const form of document.querySelectorAll('.quantity-form')) {
  const input = form.querySelector('input[name="quantity"]');
  const button = form.querySelector('button[type="submit"]');
  if (!input || !button) continue;
  button.hidden = true;
  input.addEventListener('change', () => {
    if (input.checkValidity()) form.requestSubmit();
    else input.reportValidity();
  });
}
