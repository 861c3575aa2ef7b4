import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { TOKEN_KEY, useMutation } from './api';
import { graphql } from './gql';
import { useT } from './i18n';

export const VIEWER = graphql(`
  query Viewer {
    viewer { kind id displayName roles }
  }
`);

const LOGIN = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      token
      viewer { kind displayName roles }
      errors { code message field }
    }
  }
`);

export type Role = 'ADMIN' | 'SUPPORT' | 'PAYMENTS' | 'CERTIFICATION' | 'INTEGRATION' | 'LEARNER';

/** The login form: on success the token is kept in localStorage and `onDone` reloads the viewer. */
export function LoginForm({ onDone }: { onDone: () => void }) {
  const t = useT();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation(LOGIN, (r) => r.login);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await login.run({ input: { email, password } });
    if (r?.login.token) {
      localStorage.setItem(TOKEN_KEY, r.login.token);
      onDone();
    }
  };
  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder p="lg" w="100%" maw={380}>
        <form onSubmit={submit}>
          <Stack>
            <Title order={1} size="h3">{t('appTitle')}</Title>
            <TextInput label={t('email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={login.fieldError('email')} />
            <PasswordInput label={t('password')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={login.fieldError('password')} />
            {[...login.otherErrors(['email', 'password']).map((e) => e.message), ...(login.failure ? [login.failure] : [])].map((m) => (
              <Alert key={m} color="red" role="alert">{m}</Alert>
            ))}
            <Button type="submit" loading={login.running}>{t('login')}</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
