import { Alert, AppShell, Burger, Button, Center, Group, Loader, NavLink, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, type ReactNode } from 'react';
import { setUnauthenticatedHandler, TOKEN_KEY, useQuery } from './api';
import { LoginForm, type Role, VIEWER } from './auth';
import { useLang, useT, type LabelKey } from './i18n';
import { href, navigate, useRoute } from './router';
import { SCREENS } from './screens';

/** The shell: a header, the menu (only what the roles allow), and the screen for the path. */
export function App() {
  const viewer = useQuery(VIEWER, {});
  useEffect(() => setUnauthenticatedHandler(() => logout()), []);
  const logout = () => {
    localStorage.removeItem(TOKEN_KEY);
    void viewer.refetch();
  };
  if (!viewer.data && viewer.loading) {
    return (
      <Center mih="100vh">
        <Loader aria-label="loading" />
      </Center>
    );
  }
  const v = viewer.data?.viewer;
  if (!v || v.kind !== 'STAFF') return <LoginForm onDone={() => void viewer.refetch()} />;
  return <Shell roles={v.roles as Role[]} displayName={v.displayName ?? ''} onLogout={logout} />;
}

function Shell({ roles, displayName, onLogout }: { roles: Role[]; displayName: string; onLogout: () => void }) {
  const t = useT();
  const { lang, setLang } = useLang();
  const [opened, { toggle, close }] = useDisclosure();
  const { path, params } = useRoute();
  const allowed = SCREENS.filter((s) => roles.includes('ADMIN') || s.roles.some((r) => roles.includes(r)));
  const current = allowed.find((s) => path === s.path || path.startsWith(`${s.path}/`));
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  let content: ReactNode;
  if (current) content = current.render({ path: path.slice(current.path.length), params, roles });
  else if (path === '/' || !SCREENS.some((s) => path.startsWith(s.path))) {
    content = (
      <Stack>
        <Title order={1}>{t('welcome')}, {displayName}</Title>
        <Text>{t('welcomeHint')}</Text>
      </Stack>
    );
  } else content = <Alert color="red" role="alert">403</Alert>;
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap" gap="xs">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('menu')} />
            <Text fw={700} truncate visibleFrom="xs">{t('appTitle')}</Text>
          </Group>
          <Group wrap="nowrap" gap="xs">
            <SegmentedControl size="xs" value={lang} onChange={(l) => setLang(l as 'fr' | 'en')} data={[{ value: 'fr', label: 'FR' }, { value: 'en', label: 'EN' }]} aria-label={t('language')} />
            <Button size="xs" variant="default" onClick={onLogout}>{t('logout')}</Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label={t('menu')}>
        <Text size="xs" c="dimmed" px="sm" pb="xs">{displayName} · {roles.join(', ')}</Text>
        {allowed.map((s) => (
          <NavLink
            key={s.path}
            href={href(s.path)}
            label={t(s.label)}
            active={current?.path === s.path}
            variant="filled"
            onClick={(e) => {
              e.preventDefault();
              navigate(s.path);
              close();
            }}
          />
        ))}
        {(roles.includes('ADMIN') || roles.length > 0) && <NavLink href={href('/graphiql')} label="GraphiQL" target="_self" />}
      </AppShell.Navbar>
      <AppShell.Main>
        {content}
      </AppShell.Main>
    </AppShell>
  );
}

export interface ScreenProps {
  /** The rest of the path after the screen's own, e.g. "/12". */
  path: string;
  params: URLSearchParams;
  roles: Role[];
}

export interface Screen {
  path: string;
  label: LabelKey;
  roles: Role[];
  render: (p: ScreenProps) => ReactNode;
}
