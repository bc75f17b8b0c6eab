use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{
    admin_accounts, admin_audit, admin_get_settings, AccountView, AdminCreateAccount,
    AdminDeleteAccount, AdminResetPassword, AdminResetTwoFactor, AdminSetAdmin, AdminSetDisabled,
    AdminSetProvisioning, AdminSetTwoFactorPolicy,
};
use crate::components::{ErrorNote, Notice};
use crate::dates::format_time;
use crate::error::AppError;
use crate::pages::shell::AppShell;

/// Every admin action of the page, so that one change refreshes the list.
#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<AdminCreateAccount>,
    disable: ServerAction<AdminSetDisabled>,
    delete: ServerAction<AdminDeleteAccount>,
    reset_password: ServerAction<AdminResetPassword>,
    reset_2fa: ServerAction<AdminResetTwoFactor>,
    set_admin: ServerAction<AdminSetAdmin>,
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
        }
    }

    fn version(&self) -> usize {
        self.create.version().get()
            + self.disable.version().get()
            + self.delete.version().get()
            + self.reset_password.version().get()
            + self.reset_2fa.version().get()
            + self.set_admin.version().get()
    }

    /// The latest error of any action.
    fn error(&self) -> Option<AppError> {
        [
            self.create.value().get().and_then(Result::err),
            self.disable.value().get().and_then(Result::err),
            self.delete.value().get().and_then(Result::err),
            self.reset_password.value().get().and_then(Result::err),
            self.reset_2fa.value().get().and_then(Result::err),
            self.set_admin.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
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
            .map(|_| "Account created.".to_owned())
    };
    view! {
        <Title text="Admin"/>
        <AppShell>
            <div class="admin">
                <h1>"Administration"</h1>
                <p><a href="/admin/audit">"Audit log"</a></p>
                <PolicySection/>
                <section aria-labelledby="create-title">
                    <h2 id="create-title">"Create an account"</h2>
                    <ActionForm action=actions.create attr:class="stack narrow">
                        <label for="new-email">"Email"</label>
                        <input id="new-email" name="email" type="email" required/>
                        <label for="new-password">"Initial password"</label>
                        <input id="new-password" name="password" type="password" autocomplete="new-password" aria-describedby="new-password-hint"/>
                        <p id="new-password-hint" class="muted">"Temporary: the user chooses their own at the first sign-in."</p>
                        <label class="check"><input type="checkbox" name="make_admin" value="on"/>" Administrator"</label>
                        <button type="submit" class="primary">"Create account"</button>
                    </ActionForm>
                    <Notice text=Signal::derive(created)/>
                </section>
                <section aria-labelledby="accounts-title">
                    <h2 id="accounts-title">"Accounts"</h2>
                    <label for="account-search">"Search accounts"</label>
                    <input id="account-search" type="search" on:input=move |ev| search.set(event_target_value(&ev))/>
                    <ErrorNote error=Signal::derive(move || actions.error())/>
                    <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                        {move || accounts.get().map(|r| match r {
                            Ok(list) => view! { <AccountTable list actions/> }.into_any(),
                            Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                        })}
                    </Suspense>
                </section>
            </div>
        </AppShell>
    }
}

#[component]
fn AccountTable(list: Vec<AccountView>, actions: Actions) -> impl IntoView {
    view! {
        <table class="table accounts">
            <thead><tr>
                <th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"State"</th>
                <th scope="col">"2FA"</th><th scope="col">"Last sign-in"</th><th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|a| view! { <AccountRow a actions/> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AccountRow(a: AccountView, actions: Actions) -> impl IntoView {
    let email = StoredValue::new(a.email.clone());
    let field_id = format!("pw-{}", a.email);
    let field_label = format!("New password for {}", a.email);
    view! {
        <tr data-email=a.email.clone()>
            <th scope="row">{a.email.clone()}</th>
            <td>{if a.is_admin { "admin" } else { "user" }}</td>
            <td>{if a.disabled { "disabled" } else { "active" }}</td>
            <td>{if a.two_factor { "on" } else { "off" }}</td>
            <td>{a.last_sign_in_at.map(format_time).unwrap_or_else(|| "never".into())}</td>
            <td class="row-actions">
                <ActionForm action=actions.disable>
                    {hidden(email)}
                    <input type="hidden" name="disabled" value=(!a.disabled).to_string()/>
                    <button type="submit">{if a.disabled { "Enable" } else { "Disable" }}</button>
                </ActionForm>
                <ActionForm action=actions.set_admin>
                    {hidden(email)}
                    <input type="hidden" name="make_admin" value=(!a.is_admin).to_string()/>
                    <button type="submit">{if a.is_admin { "Make user" } else { "Make admin" }}</button>
                </ActionForm>
                {a.two_factor.then(|| view! {
                    <ActionForm action=actions.reset_2fa>
                        {hidden(email)}
                        <button type="submit">"Reset 2FA"</button>
                    </ActionForm>
                })}
                <ActionForm action=actions.reset_password attr:class="inline">
                    {hidden(email)}
                    <label class="sr-only" for=field_id.clone()>{field_label}</label>
                    <input id=field_id name="password" type="password" autocomplete="new-password" placeholder="New password" required/>
                    <button type="submit">"Reset password"</button>
                </ActionForm>
                <ActionForm action=actions.delete>
                    {hidden(email)}
                    <button type="submit" class="danger">"Delete"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// The hidden field that names the account a row's form acts on.
fn hidden(email: StoredValue<String>) -> impl IntoView {
    view! { <input type="hidden" name="email" value=email.get_value()/> }
}

#[component]
fn PolicySection() -> impl IntoView {
    let policy = ServerAction::<AdminSetTwoFactorPolicy>::new();
    let provisioning = ServerAction::<AdminSetProvisioning>::new();
    let settings = Resource::new(
        move || policy.version().get() + provisioning.version().get(),
        |_| admin_get_settings(),
    );
    view! {
        <section aria-labelledby="policy-title">
            <h2 id="policy-title">"Two-factor policy"</h2>
            <Suspense fallback=|| ()>
                {move || settings.get().and_then(Result::ok).map(|s| {
                    let current = s.two_factor_policy.clone();
                    view! {
                        <ActionForm action=policy attr:class="stack narrow">
                            <label for="policy">"Who must use two-factor sign-in"</label>
                            <select id="policy" name="policy">
                                {[("optional", "Nobody (optional)"), ("admins", "Administrators"), ("everyone", "Everyone")]
                                    .into_iter()
                                    .map(|(v, label)| view! { <option value=v selected=current == v>{label}</option> })
                                    .collect_view()}
                            </select>
                            <button type="submit">"Save policy"</button>
                        </ActionForm>
                        {s.imap_checks_passwords.then(|| view! {
                            <ActionForm action=provisioning attr:class="stack narrow">
                                <input type="hidden" name="allowed" value=(!s.provision_unknown).to_string()/>
                                <p>{if s.provision_unknown {
                                    "Addresses the IMAP server accepts get an account on first sign-in."
                                } else {
                                    "Only addresses with an account may sign in."
                                }}</p>
                                <button type="submit">{if s.provision_unknown { "Stop provisioning" } else { "Provision on first sign-in" }}</button>
                            </ActionForm>
                        })}
                    }
                })}
            </Suspense>
            <ErrorNote error=Signal::derive(move || policy.value().get().and_then(Result::err))/>
        </section>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let inputs: [(&'static str, &'static str, RwSignal<String>); 5] = [
        ("who", "Who (account)", RwSignal::new(String::new())),
        ("action", "Action", RwSignal::new(String::new())),
        ("address", "Address", RwSignal::new(String::new())),
        ("since", "From (YYYY-MM-DD)", RwSignal::new(String::new())),
        ("until", "To (YYYY-MM-DD)", RwSignal::new(String::new())),
    ];
    let applied = RwSignal::new(<[String; 5]>::default());
    let entries = Resource::new(
        move || applied.get(),
        |[who, action, address, since, until]| admin_audit(who, action, address, since, until),
    );
    view! {
        <Title text="Audit log"/>
        <AppShell>
            <div class="admin">
                <h1>"Audit log"</h1>
                <form class="filters" on:submit=move |ev| {
                    ev.prevent_default();
                    applied.set(inputs.map(|(_, _, value)| value.get_untracked()));
                }>
                    {inputs.map(|(id, label, value)| view! {
                        <label for=id>{label}</label>
                        <input id=id type="text" bind:value=value/>
                    }).into_iter().collect_view()}
                    <button type="submit">"Filter"</button>
                </form>
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || entries.get().map(|r| match r {
                        Ok(list) => view! {
                            <table class="table audit">
                                <thead><tr>
                                    <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th>
                                    <th scope="col">"Account"</th><th scope="col">"Address"</th><th scope="col">"Detail"</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|e| view! {
                                        <tr><td>{format_time(e.at)}</td><td>{e.actor}</td><td>{e.action}</td>
                                        <td>{e.target}</td><td>{e.address}</td><td>{e.detail}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=Signal::derive(move || Some(e.clone()))/> }.into_any(),
                    })}
                </Suspense>
            </div>
        </AppShell>
    }
}
