use estafette_wire::TwoFactorPolicy;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{
    admin_accounts, admin_audit, admin_get_settings, AccountView, AdminCreateAccount,
    AdminDeleteAccount, AdminResetPassword, AdminResetSendingLimit, AdminResetTwoFactor,
    AdminSetAdmin, AdminSetDisabled, AdminSetForwardOutside, AdminSetProvisioning,
    AdminSetTwoFactorPolicy, SendingLimitView,
};
use crate::components::AppShell;
use crate::components::{ErrorNote, LocalTime, Notice};
use crate::error::AppError;
use crate::i18n::use_texts;

/// Every admin action of the page, so that one change refreshes the list.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<AdminCreateAccount>,
    disable: ServerAction<AdminSetDisabled>,
    delete: ServerAction<AdminDeleteAccount>,
    reset_password: ServerAction<AdminResetPassword>,
    reset_2fa: ServerAction<AdminResetTwoFactor>,
    set_admin: ServerAction<AdminSetAdmin>,
    reset_sending: ServerAction<AdminResetSendingLimit>,
}

impl Actions {
    fn new() -> Self {
        Actions {
            create: ServerAction::new(),
            disable: ServerAction::new(),
            delete: ServerAction::new(),
            reset_password: ServerAction::new(),
            reset_2fa: ServerAction::new(),
            set_admin: ServerAction::new(),
            reset_sending: ServerAction::new(),
        }
    }

    fn version(&self) -> usize {
        self.create.version().get()
            + self.disable.version().get()
            + self.delete.version().get()
            + self.reset_password.version().get()
            + self.reset_2fa.version().get()
            + self.set_admin.version().get()
            + self.reset_sending.version().get()
    }

    /// The latest error of any action on the accounts (a refused creation
    /// is said in its dialog).
    fn error(&self) -> Option<AppError> {
        [
            self.disable.value().get().and_then(Result::err),
            self.delete.value().get().and_then(Result::err),
            self.reset_password.value().get().and_then(Result::err),
            self.reset_2fa.value().get().and_then(Result::err),
            self.set_admin.value().get().and_then(Result::err),
            self.reset_sending.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let t = use_texts();
    let actions = Actions::new();
    let search = RwSignal::new(String::new());
    let accounts = Resource::new(
        move || (search.get(), actions.version()),
        |(s, _)| admin_accounts(s),
    );
    let created = move || {
        actions
            .create
            .value()
            .get()
            .and_then(Result::ok)
            .map(|_| t.account_created.to_owned())
    };
    // "New account" is a dialog over the accounts, closed once it is made.
    // Emptied then (the initial password is not kept in the page); a refusal
    // is said inside it.
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let create_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if actions.create.value().get().is_some_and(|r| r.is_ok()) {
            if let Some(f) = create_form.get_untracked() {
                f.reset();
            }
            if let Some(d) = dialog.get_untracked() {
                d.close();
            }
        }
    });
    let create_error = move || actions.create.value().get().and_then(Result::err);
    let open_dialog = move |_| {
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let close_dialog = move |_| {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
    };
    view! {
        <Title text=t.admin/>
        <AppShell>
            <main class="admin" id="main">
                <div class="page-head">
                    <h1>{t.administration}</h1>
                    <a href="/admin/audit">{t.audit_log}</a>
                </div>
                <section aria-labelledby="accounts-title">
                    <div class="section-head">
                        <h2 id="accounts-title">{t.accounts}</h2>
                        <input id="account-search" type="search" aria-label=t.search_accounts placeholder=t.search_accounts
                            on:input=move |ev| search.set(event_target_value(&ev))/>
                        <button type="button" class="primary" aria-haspopup="dialog" on:click=open_dialog>{t.new_account}</button>
                    </div>
                    <Notice text=Signal::derive(created)/>
                    <ErrorNote error=Signal::derive(move || actions.error())/>
                    <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
                        {move || accounts.get().map(|r| match r {
                            Ok(list) => view! { <AccountTable list actions/> }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Suspense>
                </section>
                <dialog node_ref=dialog class="dialog" aria-labelledby="create-title">
                    <h2 id="create-title">{t.create_an_account}</h2>
                    <ErrorNote error=Signal::derive(create_error)/>
                    <ActionForm action=actions.create node_ref=create_form attr:class="stack">
                        <label for="new-email">{t.email}</label>
                        <input id="new-email" name="email" type="email" required/>
                        <label for="new-password">{t.initial_password}</label>
                        <input id="new-password" name="password" type="password" autocomplete="new-password" aria-describedby="new-password-hint"/>
                        <p id="new-password-hint" class="muted">{t.initial_password_hint}</p>
                        <label class="check"><input type="checkbox" name="make_admin" value="on"/>" "{t.administrator}</label>
                        <div class="dialog-actions">
                            <button type="button" on:click=close_dialog>{t.cancel}</button>
                            <button type="submit" class="primary">{t.create_account}</button>
                        </div>
                    </ActionForm>
                </dialog>
                <PolicySection/>
            </main>
        </AppShell>
    }
}

#[component]
fn AccountTable(list: Vec<AccountView>, actions: Actions) -> impl IntoView {
    let t = use_texts();
    view! {
        <table class="table accounts">
            <thead><tr>
                <th scope="col">{t.email}</th><th scope="col">{t.role}</th><th scope="col">{t.state}</th>
                <th scope="col">{t.two_factor_short}</th><th scope="col">{t.last_sign_in}</th><th scope="col">{t.actions}</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|a| view! { <AccountRow a actions/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AccountRow(a: AccountView, actions: Actions) -> impl IntoView {
    let t = use_texts();
    let email = StoredValue::new(a.email.clone());
    let field_id = format!("pw-{}", a.email);
    let field_label = t.new_password_for.replace("{email}", &a.email);
    view! {
        <tr data-email=a.email.clone() class:limited=a.sending_limited.is_some()>
            <th scope="row">{a.email.clone()}</th>
            // (`data-label`: the column's name, shown beside the value when
            // a phone shows each account as a card.)
            <td data-label=t.role>{if a.is_admin { t.role_admin } else { t.role_user }}</td>
            <td data-label=t.state class="state">
                {if a.disabled { t.state_disabled } else { t.state_active }}
                {a.sending_limited.map(|l| view! { <SendingLimited l/> })}
            </td>
            <td data-label=t.two_factor_short>{if a.two_factor { t.on } else { t.off }}</td>
            <td data-label=t.last_sign_in>{match a.last_sign_in_at {
                Some(unix) => view! { <LocalTime unix/> }.into_any(),
                None => t.never.into_any(),
            }}</td>
            <td class="actions"><div class="row-actions">
                {a.sending_limited.is_some().then(|| view! {
                    <ActionForm action=actions.reset_sending>
                        {hidden(email)}
                        <button type="submit" class="warn">{t.reset_sending_limit}</button>
                    </ActionForm>
                })}
                <ActionForm action=actions.disable>
                    {hidden(email)}
                    <input type="hidden" name="disabled" value=(!a.disabled).to_string()/>
                    <button type="submit">{if a.disabled { t.enable } else { t.disable }}</button>
                </ActionForm>
                <ActionForm action=actions.set_admin>
                    {hidden(email)}
                    <input type="hidden" name="make_admin" value=(!a.is_admin).to_string()/>
                    <button type="submit">{if a.is_admin { t.make_user } else { t.make_admin }}</button>
                </ActionForm>
                {a.two_factor.then(|| view! {
                    <ActionForm action=actions.reset_2fa>
                        {hidden(email)}
                        <button type="submit">{t.reset_two_factor}</button>
                    </ActionForm>
                })}
                <ActionForm action=actions.reset_password attr:class="inline">
                    {hidden(email)}
                    <label class="sr-only" for=field_id.clone()>{field_label}</label>
                    <input id=field_id name="password" type="password" autocomplete="new-password" placeholder=t.new_password required/>
                    <button type="submit">{t.reset_password}</button>
                </ActionForm>
                <ActionForm action=actions.delete>
                    {hidden(email)}
                    <button type="submit" class="danger">{t.delete}</button>
                </ActionForm>
            </div></td>
        </tr>
    }
}

/// "Sending limited since …": the account's limited period, until its
/// window ends, and how many sends it refused.
#[component]
fn SendingLimited(l: SendingLimitView) -> impl IntoView {
    let t = use_texts();
    let refused = t
        .sends_refused
        .replace("{count}", &crate::i18n::number(l.refused.max(0) as u64));
    view! {
        <p class="sending-limited">
            <strong>{t.sending_limited_since}" "<LocalTime unix=l.since/></strong>
            <span>{t.sending_limited_until}" "<LocalTime unix=l.until/></span>
            <span>{refused}</span>
        </p>
    }
}

/// The hidden field that names the account a row's form acts on.
fn hidden(email: StoredValue<String>) -> impl IntoView {
    view! { <input type="hidden" name="email" value=email.get_value()/> }
}

#[component]
fn PolicySection() -> impl IntoView {
    let t = use_texts();
    let policy = ServerAction::<AdminSetTwoFactorPolicy>::new();
    let provisioning = ServerAction::<AdminSetProvisioning>::new();
    let forwarding = ServerAction::<AdminSetForwardOutside>::new();
    let settings = Resource::new(
        move || policy.version().get() + provisioning.version().get() + forwarding.version().get(),
        |_| admin_get_settings(),
    );
    view! {
        <section aria-labelledby="policy-title">
            <h2 id="policy-title">{t.two_factor_policy}</h2>
            <Suspense fallback=|| ()>
                {move || settings.get().and_then(Result::ok).map(|s| {
                    let current = s.two_factor_policy;
                    view! {
                        <ActionForm action=policy attr:class="stack narrow">
                            <label for="policy">{t.who_must_use_two_factor}</label>
                            <select id="policy" name="policy">
                                {[(TwoFactorPolicy::Optional, t.policy_optional), (TwoFactorPolicy::Admins, t.policy_admins), (TwoFactorPolicy::Everyone, t.policy_everyone)]
                                    .into_iter()
                                    .map(|(v, label)| view! { <option value=v.as_str() selected=current == v>{label}</option> })
                                    .collect_view()}
                            </select>
                            <button type="submit">{t.save_policy}</button>
                        </ActionForm>
                        {s.imap_checks_passwords.then(|| view! {
                            <ActionForm action=provisioning attr:class="stack narrow">
                                <input type="hidden" name="allowed" value=(!s.provision_unknown).to_string()/>
                                <p>{if s.provision_unknown { t.provisioning_on } else { t.provisioning_off }}</p>
                                <button type="submit">{if s.provision_unknown { t.stop_provisioning } else { t.start_provisioning }}</button>
                            </ActionForm>
                        })}
                        <h2 id="forwarding-title">{t.forward_outside_heading}</h2>
                        <ActionForm action=forwarding attr:class="stack narrow">
                            <label for="forward-outside">{t.forward_outside_allowed}</label>
                            <select id="forward-outside" name="allowed" aria-describedby="forwarding-hint">
                                <option value="false" selected=!s.forward_outside>{t.off}</option>
                                <option value="true" selected=s.forward_outside>{t.on}</option>
                            </select>
                            <p id="forwarding-hint" class="muted">{t.forward_outside_hint}</p>
                            <button type="submit">{t.save_forwarding}</button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <ErrorNote error=Signal::derive(move || policy.value().get().and_then(Result::err))/>
            <ErrorNote error=Signal::derive(move || forwarding.value().get().and_then(Result::err))/>
        </section>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let t = use_texts();
    let inputs: [(&'static str, &'static str, RwSignal<String>); 5] = [
        ("who", t.audit_who, RwSignal::new(String::new())),
        ("action", t.audit_action, RwSignal::new(String::new())),
        ("address", t.ip_address, RwSignal::new(String::new())),
        ("since", t.audit_from, RwSignal::new(String::new())),
        ("until", t.audit_to, RwSignal::new(String::new())),
    ];
    let applied = RwSignal::new(<[String; 5]>::default());
    let entries = Resource::new(
        move || applied.get(),
        |[who, action, address, since, until]| admin_audit(who, action, address, since, until),
    );
    view! {
        <Title text=t.audit_log/>
        <AppShell>
            <main class="admin" id="main">
                <h1>{t.audit_log}</h1>
                <form class="filters" on:submit=move |ev| {
                    ev.prevent_default();
                    applied.set(inputs.map(|(_, _, value)| value.get_untracked()));
                }>
                    {inputs.map(|(id, label, value)| view! {
                        <label for=id>{label}</label>
                        <input id=id type="text" bind:value=value/>
                    }).into_iter().collect_view()}
                    <button type="submit">{t.filter}</button>
                </form>
                // The whole log of the days filtered (the other filters
                // narrow the view only), oldest first.
                <p class="exports">
                    {[("csv", t.audit_export_csv), ("json", t.audit_export_json)].map(|(format, label)| view! {
                        <a class="button" download href=move || {
                            let [_, _, _, since, until] = applied.get();
                            crate::urls::audit_export(format, &since, &until)
                        }>{label}</a>
                    }).into_iter().collect_view()}
                </p>
                <Suspense fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    {move || entries.get().map(|r| match r {
                        Ok(list) => view! {
                            <table class="table audit">
                                <thead><tr>
                                    <th scope="col">{t.when}</th><th scope="col">{t.who}</th><th scope="col">{t.what}</th>
                                    <th scope="col">{t.account}</th><th scope="col">{t.ip_address}</th><th scope="col">{t.detail}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|e| view! {
                                        <tr><td><LocalTime unix=e.at/></td><td>{e.actor}</td><td>{e.action}</td>
                                        <td>{e.target}</td><td>{e.address}</td><td>{e.detail}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    })}
                </Suspense>
            </main>
        </AppShell>
    }
}
