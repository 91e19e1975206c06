// Sign in / create account.
import { h, icon } from '../dom.js';

export function authView(session) {
  let mode = 'signin';
  const error = h('p.form-error', { role: 'alert', id: 'auth-error' });
  const username = h('input#auth-username', {
    name: 'username', autocomplete: 'username', required: true, minlength: '3', maxlength: '32',
    pattern: '[A-Za-z0-9_.\\-]+', autocapitalize: 'none', spellcheck: 'false',
  });
  const password = h('input#auth-password', {
    name: 'password', type: 'password', autocomplete: 'current-password', required: true, minlength: '8', maxlength: '256',
  });
  const submit = h('button.button.primary.wide#auth-submit', { type: 'submit' }, 'Sign in');
  const title = h('h1.auth-title', 'Sign in to StreamLy');
  const switchButton = h('button.link-button#auth-switch', { type: 'button' });
  const hint = h('p.auth-switch');
  const hint2 = h('p.field-hint#auth-rules', 'Usernames: 3–32 characters a–z, 0–9, _ . - · passwords: 8 characters or more');

  const render = () => {
    const signup = mode === 'signup';
    title.textContent = signup ? 'Create your account' : 'Sign in to StreamLy';
    submit.textContent = signup ? 'Create account' : 'Sign in';
    password.autocomplete = signup ? 'new-password' : 'current-password';
    hint.replaceChildren(signup ? 'Already have an account? ' : 'New to StreamLy? ', switchButton);
    switchButton.textContent = signup ? 'Sign in' : 'Create an account';
    error.textContent = '';
    hint2.hidden = !signup;
  };
  switchButton.addEventListener('click', () => {
    mode = mode === 'signin' ? 'signup' : 'signin';
    render();
    username.focus();
  });

  const form = h('form.auth-form', {
    novalidate: false,
    on: {
      submit: async (event) => {
        event.preventDefault();
        error.textContent = '';
        submit.disabled = true;
        try {
          if (mode === 'signup') await session.signUp(username.value.trim().toLowerCase(), password.value);
          else await session.signIn(username.value.trim().toLowerCase(), password.value);
        } catch (failure) {
          error.textContent = failure.code === 'unauthorized' ? 'Wrong username or password.' : failure.message;
          submit.disabled = false;
        }
      },
    },
  },
  h('label.field', { for: 'auth-username' }, h('span', 'Username'), username),
  h('label.field', { for: 'auth-password' }, h('span', 'Password'), password),
  hint2,
  error,
  submit);

  render();
  const view = h('div.auth-screen',
    h('div.auth-card',
      h('div.brand.brand-large', h('img.brand-logo', { src: document.querySelector('link[rel=icon]').href, alt: '' }), 'StreamLy'),
      h('p.auth-tagline', 'Chat, files, video and calls — in one place.'),
      title, form, hint));
  queueMicrotask(() => username.focus());
  return view;
}
