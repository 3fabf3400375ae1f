// Languages: every text of the console comes from a message catalogue here (en.json, zh-CN.json).
// Adding a language is adding a catalogue and a line in LANGUAGES; test/web/catalogues.test.ts checks
// that every catalogue has the same keys as en.json. Dates and times are shown in the browser's time
// zone, with the zone named.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { IntlProvider, useIntl } from 'react-intl';
import en from './en.json';
import zhCN from './zh-CN.json';

export const LANGUAGES = [
  { tag: 'en', name: 'English', messages: en as Record<string, string> },
  { tag: 'zh-CN', name: '简体中文', messages: zhCN as Record<string, string> },
] as const;
export type Language = (typeof LANGUAGES)[number]['tag'];

const KEY = 'homeward.lang';
function initial(): Language {
  const saved = localStorage.getItem(KEY);
  const wanted = saved ?? navigator.language;
  return (LANGUAGES.find((l) => l.tag === wanted) ?? LANGUAGES.find((l) => wanted.toLowerCase().startsWith(l.tag.slice(0, 2))) ?? LANGUAGES[0]).tag;
}

const LanguageContext = createContext<{ lang: Language; setLang(l: Language): void }>({ lang: 'en', setLang: () => {} });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, set] = useState<Language>(initial);
  const setLang = useCallback((l: Language) => {
    localStorage.setItem(KEY, l);
    set(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const messages = LANGUAGES.find((l) => l.tag === lang)!.messages;
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return (
    <LanguageContext.Provider value={value}>
      <IntlProvider locale={lang} messages={messages} defaultLocale="en" onError={() => {}}>
        {children}
      </IntlProvider>
    </LanguageContext.Provider>
  );
}

export const useLanguage = () => useContext(LanguageContext);

type Values = Record<string, string | number | Date>;

/** t(id, values): a catalogue message. tx(prefix, name): a label for a value of the API (field, enum, action), the value itself when no catalogue names it. */
export function useT() {
  const intl = useIntl();
  const t = useCallback((id: string, values?: Values) => intl.formatMessage({ id }, values), [intl]);
  const tx = useCallback(
    (prefix: string, name: string) => {
      const id = `${prefix}.${name}`;
      return intl.messages[id] ? intl.formatMessage({ id }) : name.replace(/_/g, ' ');
    },
    [intl],
  );
  return { t, tx, intl };
}

/** The browser's time zone, as the user sees it named next to every time. */
export const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
